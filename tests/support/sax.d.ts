/** sax ships without type declarations; the part the Atom check uses (strict parser, namespaces). */
declare module 'sax' {
  export interface QualifiedAttribute { name: string; value: string; prefix: string; local: string; uri: string }
  export interface QualifiedTag { name: string; prefix: string; local: string; uri: string; attributes: Record<string, QualifiedAttribute>; isSelfClosing: boolean }
  export interface SAXParser {
    onopentag: (tag: QualifiedTag | { name: string; attributes: Record<string, string> }) => void;
    ontext: (text: string) => void;
    onclosetag: (name: string) => void;
    onerror: (error: Error) => void;
    write(xml: string): SAXParser;
    close(): SAXParser;
  }
  export function parser(strict: boolean, options?: { xmlns?: boolean; trim?: boolean }): SAXParser;
  const sax: { parser: typeof parser };
  export default sax;
}
