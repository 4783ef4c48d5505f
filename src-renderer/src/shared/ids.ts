// Ids the renderer makes for runs and jobs, so progress events can be matched to the run
// that asked for them. randomUUID needs a secure context; browser mode over plain http on
// another host may lack it, hence the fallback.

export function randomId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
