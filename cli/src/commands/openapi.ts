export async function run(_args: string[]): Promise<number> {
  console.error("reprise openapi: not implemented yet");
  return 2;
}
