export { cartPaymentMethodsTransformRun } from "./run";
