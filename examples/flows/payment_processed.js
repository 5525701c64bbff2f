// Runs when a payment settled; parsed_data is the payment as GET /payments/{id} shows it.
print(`paid ${parsed_data.amount} through ${parsed_data.processor} (${parsed_data.correlationId})`);
set_context('last_payment', parsed_data.correlationId);
