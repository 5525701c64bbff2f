// Runs when creating a payment intent failed; parsed_error is Stripe's error body ({error: {...}}).
// The seeds' flow (002), in JavaScript.
const errorType = parsed_error.error.type;
const errorMessage = parsed_error.error.message;
print(`❌ Payment Intent Error: ${errorType}`);
print(`Message: ${errorMessage}`);

// Handle different error types
if (errorType === 'card_error') {
  print('Card was declined - notify user');
  dispatch('notify_card_declined', {decline_code: parsed_error.error.decline_code || null});
} else if (errorType === 'rate_limit_error') {
  print('Rate limited - retry later');
} else {
  print('Unknown error - log for investigation');
}

// Store error details for debugging
set_context('last_error_type', errorType);
set_context('last_error_message', errorMessage);
