// Runs when a payment intent was created; parsed_data is Stripe's PaymentIntent object.
// The seeds' flow (002), in JavaScript.
const paymentIntentId = parsed_data.id;
const status = parsed_data.status;
print(`✅ Payment Intent Created: ${paymentIntentId}`);
print(`Status: ${status}`);

// Continue the flow based on status
if (status === 'requires_payment_method') {
  print('Payment method required - ready for frontend');
} else if (status === 'succeeded') {
  print('Payment completed successfully!');
  dispatch('payment_succeeded_notification', {payment_intent: paymentIntentId});
}

// Store the payment intent id for the flows that follow in this context
set_context('payment_intent_id', paymentIntentId);
set_context('payment_status', status);
