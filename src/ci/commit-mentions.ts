// The backlog items a commit message names. Octane associates a commit with the user stories,
// quality stories and defects its message mentions by type and id ("defect #1234",
// "user story #1234", "quality story #1234"); the type word matters, so "defect #12" does not
// link story 12, and a bare "#12" links nothing. Matching is case-insensitive, the "#" is optional
// after a spelled-out type, a list ("defects #12, #13 and #14") names each item, and the short
// forms US / QS / D need the "#" ("US#45", "D #12") so that ordinary words do not match.

export type MentionedType = 'story' | 'quality_story' | 'defect';

export interface Mention {
  type: MentionedType;
  id: number;
}

const ID_LIST = String.raw`(\d{1,12}(?:\s*(?:,|&|\band\b)\s*#?\s*\d{1,12})*)`;
const SHORT_ID_LIST = String.raw`(\d{1,12}(?:\s*(?:,|&|\band\b)\s*#\s*\d{1,12})*)`;

// longer words first: "quality story" is not a "story"
const SPELLED = new RegExp(String.raw`\b(quality[\s_-]+stor(?:y|ies)|user[\s_-]+stor(?:y|ies)|stor(?:y|ies)|defects?|bugs?)\s*:?\s*#?\s*${ID_LIST}\b`, 'gi');
const SHORT = new RegExp(String.raw`\b(QS|US|D)\s*#\s*${SHORT_ID_LIST}\b`, 'gi');

function typeOf(word: string): MentionedType {
  const w = word.toLowerCase();
  if (w.startsWith('quality') || w === 'qs') return 'quality_story';
  if (w.startsWith('defect') || w.startsWith('bug') || w === 'd') return 'defect';
  return 'story';
}

/** The typed mentions of a commit message, each once, in the order they appear. */
export function mentionedItems(message: string): Mention[] {
  const found: Array<Mention & { at: number }> = [];
  for (const re of [SPELLED, SHORT]) {
    re.lastIndex = 0;
    for (let m = re.exec(message); m; m = re.exec(message)) {
      const type = typeOf(m[1]);
      for (const id of m[2].match(/\d+/g) ?? []) found.push({ type, id: Number(id), at: m.index });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const out: Mention[] = [];
  for (const { type, id } of found) {
    const key = `${type}:${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type, id });
  }
  return out;
}
