/** Account colours offered as swatches (readable on light and dark backgrounds). */
export const ACCOUNT_COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#9333ea', '#0891b2', '#db2777', '#4b5563'];
