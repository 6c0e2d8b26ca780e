// Enough of XML to tell a well-formed SVG from a broken one: every tag closed in order,
// attributes quoted, no stray `<` or unescaped `&` in text. Returns the problem, or null.
export function xmlProblem(text: string): string | null {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let at = 0;
  const textProblem = (chunk: string) =>
    /</.test(chunk) ? 'a stray "<"' : /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chunk) ? 'an unescaped "&"' : null;
  for (const match of text.matchAll(token)) {
    const problem = textProblem(text.slice(at, match.index));
    if (problem) return `${problem} before offset ${match.index}`;
    at = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (!name) continue; // a comment or a processing instruction
    if (closing) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}> at offset ${match.index}`;
    } else if (!selfClosing) stack.push(name);
  }
  const problem = textProblem(text.slice(at));
  if (problem) return `${problem} at the end`;
  return stack.length === 0 ? null : `<${stack.join('>, <')}> never closed`;
}
