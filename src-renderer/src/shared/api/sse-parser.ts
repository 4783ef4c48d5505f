// Server-Sent Events framing, for the event-stream worker (events.worker.ts): decoded text in,
// each event's data out. The host sends `data: <json>` lines, `: comment` lines (connected,
// heartbeats) and blank lines between events; per the EventSource spec a line ends at \n,
// \r\n or \r, several data lines of one event join with \n, other fields (event, id, retry)
// are not used by this host and are skipped. A 500 KB rows event arrives over many chunks:
// the pieces of an unfinished line are kept in a list and joined once, when its end comes,
// instead of growing one string chunk after chunk.

export class SseParser {
  private pieces: string[] = [];
  private data: string[] = [];
  /** The previous chunk ended in \r: a \n opening the next one ends nothing more. */
  private afterCr = false;

  /** Feeds decoded text; answers the data of every event it completed, in order. */
  push(text: string): string[] {
    const out: string[] = [];
    let start = 0;
    if (this.afterCr && text.startsWith('\n')) start = 1;
    this.afterCr = false;
    // JSON never holds a raw \r: its position is searched once, not once per line.
    let cr = text.indexOf('\r', start);
    while (start < text.length) {
      if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
      const lf = text.indexOf('\n', start);
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(lf, cr);
      if (end < 0) {
        this.pieces.push(start === 0 ? text : text.slice(start));
        break;
      }
      let line = text.slice(start, end);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
      }
      this.line(line, out);
      if (text.charCodeAt(end) === 13) {
        if (end + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(end + 1) === 10) start = end + 2;
        else start = end + 1;
        if (this.afterCr) break;
      } else {
        start = end + 1;
      }
    }
    return out;
  }

  private line(line: string, out: string[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push(this.data.length === 1 ? this.data[0]! : this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith('data:')) this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    // ':' comments and other fields: nothing to do.
  }
}
