// Starts the onboarding of a customer as a flow with steps: each step runs as a task of this
// worker and context, after the one before it completed, and sees its recorded output in `steps`.
// A step that fails past its retries fails the flow and runs onboarding_error.js.
const run = new_flow('onboarding')
    .add_step(new_step('profile')
        .script("({email: input.email.toLowerCase(), plan: input.plan || 'starter'})")
        .timeout(5)
        .retries(2))
    .add_step(new_step('welcome')
        .script("print('welcome ' + steps.profile.email + ' on ' + steps.profile.plan); 'welcomed'")
        .retries(1))
    .on_error('onboarding_error')
    .start({email: input.email, plan: input.plan});
set_context('onboarding_run', run);
print('onboarding started: ' + run);
