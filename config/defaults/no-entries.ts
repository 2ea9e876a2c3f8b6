/**
 * The default of a list setting: no entries. A function, so every caller gets a list of its own
 * and none can change the default for the others.
 */
export const noEntries = (): string[] => [];
