export async function run(_args: string[]): Promise<number> {
  console.error("reprise check: not implemented yet");
  return 2;
}
