// Exports whose fuzz row still fails, with the first failure seen. Each runs as `it.fails`: when a
// fix makes the row pass, that test fails until the entry is removed here, so this list only shrinks.
export const KNOWN_GAPS: Record<string, string> = {
};
