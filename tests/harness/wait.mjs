// Bounded waiting for the JavaScript suites (tests/node, tests/e2e). Only
// node built-ins: this folder has no node_modules of its own.
//
// Nothing here sleeps for a fixed time. Every wait is for a condition and
// is bounded; a timeout fails with a message that names what was awaited.

export const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const NEVER = Symbol('attempt still pending at the deadline')

/**
 * Polls `pred` every `pollMs` until it returns a truthy value and returns
 * that value; fails after `timeoutMs` naming `what` (a string, or a
 * function giving details at the time of failure). The poll is not a sleep
 * a test relies on: the loop ends as soon as the condition holds.
 */
export async function waitUntil (pred, what, timeoutMs, pollMs) {
  const deadline = Date.now() + timeoutMs
  let lastError = null
  for (;;) {
    // A predicate that never settles (a page promise that never resolves)
    // must not hang the suite: each attempt is bounded by the deadline too.
    let timer
    const expired = new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), NEVER)
    })
    try {
      const value = await Promise.race([pred(), expired])
      if (value !== NEVER && value) return value
    } catch (error) {
      lastError = error
    } finally {
      clearTimeout(timer)
    }
    if (Date.now() > deadline) {
      const detail = typeof what === 'function' ? what() : what
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${detail}` +
        (lastError ? ` (last error: ${lastError.message.split('\n')[0]})` : ''))
    }
    await tick(pollMs)
  }
}
