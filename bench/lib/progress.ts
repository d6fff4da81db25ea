// A progress bar on a terminal, plain log lines otherwise.

export class Progress {
  private last = 0;
  private lastLine = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  tick(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.last < 200) return;
    this.last = now;
    const pct = this.total ? Math.floor((done / this.total) * 100) : 100;
    if (this.tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% (${done}/${this.total})`);
      if (done >= this.total) process.stderr.write('\n');
    } else if (Math.floor(pct / 10) !== this.lastLine || done >= this.total) {
      this.lastLine = Math.floor(pct / 10);
      process.stderr.write(`${this.label}: ${pct}% (${done}/${this.total})\n`);
    }
  }
}
