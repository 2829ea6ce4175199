export async function run(_args: string[]): Promise<number> {
  console.error("reprise lsp: not implemented yet");
  return 2;
}
