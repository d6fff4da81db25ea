// Progress of long operations (loading a large fixture, generating data): a bar on a terminal,
// plain lines otherwise (logs, CI).

export class Progress {
  private last = 0;
  private lastLine = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  tick(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.last < 200) return;
    this.last = now;
    const pct = this.total ? Math.floor((done / this.total) * 100) : 100;
    if (this.tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      this.out.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% (${done}/${this.total})`);
      if (done >= this.total) this.out.write('\n');
    } else if (Math.floor(pct / 10) !== this.lastLine || done >= this.total) {
      this.lastLine = Math.floor(pct / 10);
      this.out.write(`${this.label}: ${pct}% (${done}/${this.total})\n`);
    }
  }
}
