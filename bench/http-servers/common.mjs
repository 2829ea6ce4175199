// Shared by the comparison servers: the port from argv, and the email check every arm uses in spirit.
export const port = Number(process.argv[2] ?? 4100);
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
