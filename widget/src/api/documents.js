/**
 * Split operations.graphql into one document per named operation.
 *
 * Shared by the browser client (sends only the operation it runs) and the build script (records
 * every operation in build-info.json). Deliberately tiny: the file holds only named operations,
 * no fragments, so a brace counter is enough and no GraphQL parser ships to tenants' pages.
 */
export function splitOperations(source) {
  const text = source.replace(/#[^\n]*/g, '');
  const operations = {};
  const head = /\b(query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/g;
  let match;
  while ((match = head.exec(text))) {
    let depth = 0;
    let i = text.indexOf('{', match.index);
    for (; i < text.length; i += 1) {
      if (text[i] === '{') depth += 1;
      else if (text[i] === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new Error(`operation ${match[2]} has unbalanced braces`);
    const name = match[2];
    if (operations[name]) throw new Error(`operation ${name} is defined twice`);
    operations[name] = text.slice(match.index, i + 1).trim();
    head.lastIndex = i + 1;
  }
  return operations;
}
