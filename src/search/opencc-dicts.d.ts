/** OpenCC's dictionary modules ship without type declarations: each default-exports one dictionary as text. */
declare module 'opencc-js/dict/*' {
  const dictionary: string;
  export default dictionary;
}
