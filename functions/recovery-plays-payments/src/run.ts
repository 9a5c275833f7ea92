// The Function entry: the tested pure logic, bundled into the module by the CLI's esbuild step.
import { paymentsRun, type PaymentsFunctionInput, type PaymentsFunctionResult } from "../../../app/lib/payments/customization";

export function cartPaymentMethodsTransformRun(input: PaymentsFunctionInput): PaymentsFunctionResult {
  return paymentsRun(input);
}
