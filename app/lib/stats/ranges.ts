// Date ranges offered on the Analytics page (days, ending today).
export const RANGE_DAYS = [7, 30, 90, 365] as const;
