// The Function entry: the tested pure logic, bundled into the module by the CLI's esbuild step.
import { bundleDiscountRun, type BundleFunctionInput, type BundleFunctionResult } from "../../../app/lib/discounts/bundleFunction";

export function cartLinesDiscountsGenerateRun(input: BundleFunctionInput): BundleFunctionResult {
  return bundleDiscountRun(input);
}
