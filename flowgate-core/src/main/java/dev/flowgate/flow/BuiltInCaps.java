package dev.flowgate.flow;

/**
 * The built-ins that one call could use to make a string or walk an array of any size, wrapped so
 * that the call is refused (a RangeError, which scripts may catch) before it starts. Between two
 * limit checks the interpreter runs {@value ScriptSandbox#CHECK_EVERY} instructions; without
 * these, one of them ({@code 'x'.repeat(1e9)}, {@code new Array(1e9).fill(0)}) could take the
 * whole heap or a core for minutes.
 */
final class BuiltInCaps {
    private BuiltInCaps() {
    }

    static final String SOURCE = """
            (function (maxString, maxArray) {
              'use strict';
              function define(target, name, fn) {
                Object.defineProperty(target, name, {value: fn, writable: true, enumerable: false, configurable: true});
              }
              function count(n) {
                const c = Math.floor(Number(n));
                return c > 0 ? c : 0;
              }
              function checkString(what, length) {
                if (length > maxString) {
                  throw new RangeError(what + ' would make a string of ' + length + ' characters; a flow may make '
                      + maxString);
                }
              }
              function lengthOf(o) {
                return o === null || o === undefined ? 0 : count(o.length);
              }
              function checkArray(what, o) {
                const length = lengthOf(o);
                if (length > maxArray) {
                  throw new RangeError(what + ' on ' + length + ' elements; a flow may walk ' + maxArray);
                }
              }

              const repeat = String.prototype.repeat;
              define(String.prototype, 'repeat', function (n) {
                checkString('repeat', String(this).length * count(n));
                return repeat.call(this, n);
              });
              ['padStart', 'padEnd'].forEach(function (name) {
                const original = String.prototype[name];
                define(String.prototype, name, function (targetLength, fill) {
                  checkString(name, count(targetLength));
                  return original.call(this, targetLength, fill);
                });
              });

              const join = Array.prototype.join;
              define(Array.prototype, 'join', function (separator) {
                checkArray('join', this);
                const sep = separator === undefined ? ',' : String(separator);
                const n = lengthOf(this), parts = [];
                let total = n > 0 ? sep.length * (n - 1) : 0;
                for (let i = 0; i < n; i++) {
                  const e = this[i];
                  const s = e === null || e === undefined ? '' : String(e);
                  total += s.length;
                  checkString('join', total);
                  parts.push(s);
                }
                return join.call(parts, sep);
              });
              ['fill', 'map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find',
                  'findIndex', 'findLast', 'findLastIndex', 'indexOf', 'lastIndexOf', 'includes', 'sort', 'reverse',
                  'slice', 'splice', 'copyWithin', 'flat', 'flatMap', 'concat', 'shift', 'unshift', 'toLocaleString',
                  'toReversed', 'toSorted', 'toSpliced', 'with'].forEach(function (name) {
                const original = Array.prototype[name];
                if (typeof original !== 'function') return;
                define(Array.prototype, name, function () {
                  checkArray(name, this);
                  return original.apply(this, arguments);
                });
              });
              const apply = Function.prototype.apply, call = Function.prototype.call;
              define(Function.prototype, 'apply', function (thisArg, args) {
                checkArray('apply', args);
                return call.call(apply, this, thisArg, args);
              });
              const from = Array.from;
              define(Array, 'from', function (items) {
                if (items !== null && items !== undefined && typeof items[Symbol.iterator] !== 'function') {
                  checkArray('Array.from', items);
                }
                return from.apply(this, arguments);
              });
            })""";
}
