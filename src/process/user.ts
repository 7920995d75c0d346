import { userInfo } from 'node:os';

/** The user running rl-run; userInfo() throws for a uid without a passwd entry (some containers). */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
