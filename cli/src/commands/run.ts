export async function run(_args: string[]): Promise<number> {
  console.error("reprise run: not implemented yet");
  return 2;
}
