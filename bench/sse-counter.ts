// Counts server-sent events in a byte stream as it arrives: data events, and whether the
// terminating `data: [DONE]` came, so "every chunk delivered" can be checked per response.

export class SseCounter {
  dataEvents = 0;
  done = false;
  private pending = '';

  push(part: Buffer): void {
    this.pending += part.toString('utf8');
    let end = this.pending.indexOf('\n\n');
    while (end !== -1) {
      const event = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      if (/^data: ?\[DONE\]\s*$/m.test(event)) this.done = true;
      else if (/^data:/m.test(event)) this.dataEvents += 1;
      end = this.pending.indexOf('\n\n');
    }
  }
}
