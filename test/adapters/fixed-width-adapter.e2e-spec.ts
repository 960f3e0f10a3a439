import { connect } from 'node:net';
import { FixedWidthAdapter } from '../../src/adapters/fixed-width/fixed-width.adapter';
import { decodeResponse, encodeRequest, FrameReader } from '../../src/adapters/fixed-width/record-protocol';
import { RQ_AVIS_COPYBOOK } from '../../src/adapters/fixed-width/rq-copybook';
import { startRqRecordSimulator } from '../../src/adapters/fixed-width/rq-record-simulator';
import { RQ_RECORDS } from '../../src/adapters/simulators/demo-records';
import type { RunningSimulator } from '../../src/adapters/simulators/running-simulator';
import { DEFAULT_SOURCE_LIMITS } from '../../src/adapters/source-adapter';
import { CORRELATION_ID, fetchContext as context, sourceFailure as failureOf } from '../support/source-fetch';

describe('FixedWidthAdapter against the RQ record simulator, over TCP', () => {
  let simulator: RunningSimulator;
  let adapter: FixedWidthAdapter;

  beforeAll(async () => {
    simulator = await startRqRecordSimulator();
    adapter = new FixedWidthAdapter(RQ_AVIS_COPYBOOK, simulator.url, DEFAULT_SOURCE_LIMITS);
  });

  afterEach(() => simulator.faults.reset());

  afterAll(async () => {
    await adapter.close();
    await simulator.close();
  });

  it('decodes the notice of assessment of dossier 100000001, refund and lines included', async () => {
    expect(simulator.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await expect(adapter.fetch('100000001', context())).resolves.toEqual({
      'AC-NO-DOSSIER': '100000001',
      'AC-ANNEE': 2025,
      'AC-DATE-AVIS': 20260418,
      'AC-REVENU-TOTAL': 18450,
      'AC-REVENU-NET': 17900.5,
      'AC-REVENU-IMPOSABLE': 17900.5,
      'AC-SOLDE': -423.17,
      'AC-NB-LIGNES': 3,
      'AC-LIGNE': [
        { 'AC-LIGNE-NO': '101', 'AC-LIGNE-DESC': 'Revenus d emploi', 'AC-LIGNE-MONTANT': 17450 },
        { 'AC-LIGNE-NO': '130', 'AC-LIGNE-DESC': 'Bourses d etudes', 'AC-LIGNE-MONTANT': 1000 },
        { 'AC-LIGNE-NO': '214', 'AC-LIGNE-DESC': 'Cotisation REER', 'AC-LIGNE-MONTANT': -549.5 },
      ],
    });
  });

  it.each(RQ_RECORDS.map((record) => [record.dossier, record] as const))(
    'returns the demo amounts of dossier %s to the cent',
    async (dossier, demo) => {
      const record = await adapter.fetch(dossier, context());
      const cents = (value: unknown): number => Math.round(Number(value) * 100);
      expect(record).not.toBeNull();
      expect(cents(record?.['AC-REVENU-TOTAL'])).toBe(demo.totalIncomeCents);
      expect(cents(record?.['AC-REVENU-NET'])).toBe(demo.netIncomeCents);
      expect(cents(record?.['AC-REVENU-IMPOSABLE'])).toBe(demo.taxableIncomeCents);
      expect(cents(record?.['AC-SOLDE'])).toBe(demo.balanceCents);
      const lines = record?.['AC-LIGNE'] as Record<string, unknown>[];
      expect(lines.map((line) => cents(line['AC-LIGNE-MONTANT']))).toEqual(demo.lines.map((line) => line.amountCents));
    },
  );

  it('answers null for dossier 100000005, which has no record at rq', async () => {
    await expect(adapter.fetch('100000005', context())).resolves.toBeNull();
  });

  it('gives up at the deadline when the mainframe is slow', async () => {
    simulator.faults.set({ latencyMs: 1000 });
    const error = await failureOf(
      adapter.fetch('100000001', { signal: AbortSignal.timeout(150), deadline: Date.now() + 150, correlationId: 'x' }),
      '100000001',
    );
    expect(error.failure).toBe('timeout');
  });

  it('refuses garbage: a broken frame and an undecodable record', async () => {
    simulator.faults.set({ garbageRate: 1 });
    const first = await failureOf(adapter.fetch('100000001', context()), '100000001');
    const second = await failureOf(adapter.fetch('100000001', context()), '100000001');
    expect([first.failure, second.failure]).toEqual(['bad-response', 'bad-response']);
    expect([first.retryable, second.retryable]).toEqual([false, false]);
    const reasons = [first.reason, second.reason];
    expect(reasons.some((reason) => reason.startsWith('malformed frame'))).toBe(true);
    expect(reasons.some((reason) => reason.startsWith('undecodable record'))).toBe(true);
  });

  it('maps return code 12 to bad-response', async () => {
    simulator.faults.set({ errorRate: 1 });
    const error = await failureOf(adapter.fetch('100000001', context()), '100000001');
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe('return code 12');
    expect(error.retryable).toBe(false);
  });

  it('reports a reset connection as unavailable and retryable', async () => {
    simulator.faults.set({ resetRate: 1 });
    const error = await failureOf(adapter.fetch('100000001', context()), '100000001');
    expect(error.failure).toBe('unavailable');
    expect(error.retryable).toBe(true);
  });

  it('reports a refused connection as unavailable and retryable', async () => {
    const closed = await startRqRecordSimulator();
    await closed.close();
    const orphan = new FixedWidthAdapter(RQ_AVIS_COPYBOOK, closed.url, DEFAULT_SOURCE_LIMITS);
    const error = await failureOf(orphan.fetch('100000001', context()), '100000001');
    expect(error.failure).toBe('unavailable');
    expect(error.reason).toBe('ECONNREFUSED');
    expect(error.retryable).toBe(true);
    await orphan.close();
  });

  it('refuses an answer larger than the response limit before reading it', async () => {
    const limited = new FixedWidthAdapter(RQ_AVIS_COPYBOOK, simulator.url, {
      ...DEFAULT_SOURCE_LIMITS,
      maxResponseBytes: 100,
    });
    const error = await failureOf(limited.fetch('100000001', context()), '100000001');
    expect(error.failure).toBe('bad-response');
    expect(error.reason).toBe('malformed frame: frame length 261 exceeds 100');
    await limited.close();
  });

  it('ends a fetch in flight when closed', async () => {
    simulator.faults.set({ latencyMs: 1000 });
    const closing = new FixedWidthAdapter(RQ_AVIS_COPYBOOK, simulator.url, DEFAULT_SOURCE_LIMITS);
    const fetching = closing.fetch('100000001', context());
    await closing.close();
    expect((await failureOf(fetching, '100000001')).failure).toBe('unavailable');
  });

  it('answers several requests on one connection, in order', async () => {
    const request = (key: string): Buffer =>
      encodeRequest({ transaction: 'AVIS', key, correlationId: CORRELATION_ID }, 'cp037');
    const socket = connect(Number(new URL(simulator.url).port), '127.0.0.1');
    const reader = new FrameReader(1000);
    const payloads = await new Promise<Buffer[]>((resolve, reject) => {
      const received: Buffer[] = [];
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        // A byte at a time, so that frames split across reads are put back together.
        for (const byte of chunk) received.push(...reader.push(Buffer.from([byte])));
        if (received.length === 2) resolve(received);
      });
      socket.write(Buffer.concat([request('100000002'), request('100000005')]));
    });
    socket.destroy();
    const [found, notFound] = payloads.map((payload) => decodeResponse(payload, 255, 'cp037'));
    expect(found.code).toBe('00');
    expect(notFound.code).toBe('04');
  });
});
