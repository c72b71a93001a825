/** Tailwind class strings shared by the options components, so fields look the same everywhere. */
export const inputClass =
  'mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-500 focus:outline-2 focus:outline-offset-1 focus:outline-blue-600 disabled:opacity-60 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-400';
export const okBorder = 'border-zinc-300 dark:border-zinc-700';
export const badBorder = 'border-red-500 dark:border-red-500';
export const labelClass = 'block text-sm font-medium text-zinc-800 dark:text-zinc-200';
export const helpClass = 'mt-1 text-xs text-zinc-500 dark:text-zinc-400';
export const fieldErrorClass = 'mt-1 text-xs font-medium text-red-700 dark:text-red-400';
export const checkboxClass =
  'size-4 shrink-0 rounded border-zinc-300 text-blue-600 accent-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-zinc-600';
export const subtleCard = 'rounded-lg border border-zinc-200 bg-zinc-50 p-4 dark:border-zinc-800 dark:bg-zinc-900/60';
