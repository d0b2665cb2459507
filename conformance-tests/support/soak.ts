// Test sizes: `npm test` (and CI) runs the fault and load tests at a size that fits the suite's
// time budget; `npm run test:soak` sets CAIRN_SOAK=1 and runs them again at full size.

export const SOAK = process.env.CAIRN_SOAK === '1';

/** `ciValue` in `npm test`, `soakValue` under `npm run test:soak`. */
export function soakScale<T>(ciValue: T, soakValue: T): T {
  return SOAK ? soakValue : ciValue;
}
