// Staging's monthly budget (issue 16: staging <= $350 in `npm run plan`), checked by the cost tests.
export const STAGING_BUDGET_USD = 350;
