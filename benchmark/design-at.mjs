// The rows a benchmark unit fitted at a budget level, read back from its runs.jsonl trace.

/** The longest prefix of `trace.chosen` whose cost stays within the level's spend. */
export function designAt(trace, cost, level) {
  const limit = trace.spent[level] * (1 + 1e-12);
  const rows = [];
  let spent = 0;
  for (const i of trace.chosen) {
    if (spent + cost[i] > limit) break;
    spent += cost[i];
    rows.push(i);
  }
  return rows;
}
