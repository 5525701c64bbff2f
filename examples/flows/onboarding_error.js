// Runs when a step of the onboarding flow failed past its retries.
print('onboarding failed at ' + parsed_error.step + ' after ' + parsed_error.attempts + ' attempts: ' + parsed_error.error);
set_context('onboarding_failed', {step: parsed_error.step, error: parsed_error.error});
