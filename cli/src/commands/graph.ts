export async function run(_args: string[]): Promise<number> {
  console.error("reprise graph: not implemented yet");
  return 2;
}
