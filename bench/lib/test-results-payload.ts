// A realistic test-results payload: `runs` test runs over `tests` distinct tests, a fifth of them
// failing with a stack trace.

// `family` names the tests' package root (default "example"): payloads of other families are other tests.
export function testResultsPayload(opts: { runs: number; tests: number; buildId: string; seed?: number; family?: string }): string {
  const fam = opts.family ?? 'example';
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<test_result>',
    `  <build server_id="bench-ci" job_id="bench-job" job_name="Bench job" build_id="${opts.buildId}" build_name="#${opts.buildId}"/>`,
    '  <environment><taxonomy type="OS" value="Linux"/></environment>',
    '  <test_fields><test_field type="Test_Level" value="Unit Test"/></test_fields>',
    '  <test_runs>',
  ];
  const started = 1_790_000_000_000;
  for (let i = 0; i < opts.runs; i++) {
    const t = i % opts.tests;
    // each test runs once per environment: spread runs over as many environments as needed
    const env = Math.floor(i / opts.tests);
    const failed = (i * 7 + (opts.seed ?? 0)) % 5 === 0;
    const attrs = `module="m${t % 7}" package="com.${fam}.p${t % 40}" class="C${t % 200}" name="test_${t}" status="${failed ? 'Failed' : 'Passed'}" duration="${(i % 900) + 10}" started="${started + i}"`;
    const envs = env ? `<environment><taxonomy type="Browser" value="B${env}"/></environment>` : '';
    if (failed) {
      parts.push(
        `    <test_run ${attrs}><error type="java.lang.AssertionError" message="expected ${i} but was ${i + 1}">java.lang.AssertionError: expected ${i}\n\tat com.${fam}.p${t % 40}.C${t % 200}.test_${t}(C${t % 200}.java:${i % 300})\n\tat org.junit.runners.ParentRunner.run(ParentRunner.java:363)</error>${envs}</test_run>`,
      );
    } else {
      parts.push(`    <test_run ${attrs}>${envs}</test_run>`);
    }
  }
  parts.push('  </test_runs>', '</test_result>');
  return parts.join('\n');
}
