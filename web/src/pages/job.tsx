// A job, live: its state as it moves Pending → Assigned → Receipted → Finalized (with the blocks),
// its receipt, its audit, and its image(s), shown only after their SHA-256 matched the receipt.
import { useEffect, useRef, useState } from 'preact/hooks';
import { decodeAudit, decodeJob, getOffer, getReceipt, type Audit, type Job, type Receipt } from '../queries';
import { fetchReceiptedImages, type VerifiedImage } from '../artifacts';
import { AccountLink, Ait, BlockLink, ErrorBox, Hash, Link, Loading, useChain, useSubscription, watch } from '../ui';
import { errorMessage, formatUnits } from '../format';

const FLOW = ['Pending', 'Assigned', 'Receipted', 'Finalized'] as const;

/** The block at which each state was first seen: from the chain where it records it, else from
 * the best block when this page saw the change. */
type Seen = Partial<Record<string, number>>;

export function JobPage({ id }: { id: string }) {
  if (!/^\d+$/.test(id)) return <ErrorBox error={`"${id}" is not a job id (a whole number).`} />;
  return (
    <section>
      <h1>Job {id}</h1>
      <JobView id={Number(id)} key={id} />
    </section>
  );
}

export function JobView({ id }: { id: number }) {
  const { api } = useChain();
  const [job, setJob] = useState<Job | null | undefined>(undefined);
  const [audit, setAudit] = useState<Audit | null>(null);
  const [seen, setSeen] = useState<Seen>({});
  const best = useRef(0);
  useSubscription(() => api.rpc.chain.subscribeNewHeads((h) => {
    best.current = h.number.toNumber();
  }), [api]);
  useSubscription(
    () =>
      watch(api.query.jobs.jobs, [id], (raw) => {
        if (raw.isNone) {
          setJob(null);
          return;
        }
        const decoded = decodeJob(id, raw.unwrap());
        setJob(decoded);
        setSeen((s) => {
          const next: Seen = { ...s, Pending: decoded.submittedAt };
          if (decoded.state === 'Assigned' && decoded.deadline !== null) next.Assigned = decoded.deadline - decoded.deadlineBlocks;
          if (next[decoded.state] === undefined && best.current) next[decoded.state] = best.current;
          return next;
        });
      }),
    [api, id],
  );
  useSubscription(() => watch(api.query.audits.audits, [id], (raw) => setAudit(raw.isSome ? decodeAudit(raw.unwrap()) : null)), [api, id]);

  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const receiptKey = job?.provider && job.receiptHash ? `${job.provider}/${job.receiptHash}` : null;
  const [receiptError, setReceiptError] = useState<string | null>(null);
  useEffect(() => {
    if (!job?.provider || !job.receiptHash) {
      setReceipt(null);
      return;
    }
    let live = true;
    getReceipt(api, job.provider, job.receiptHash).then(
      (r) => live && setReceipt(r),
      (error) => live && setReceiptError(`The receipt could not be read: ${errorMessage(error)}`),
    );
    return () => {
      live = false;
    };
  }, [api, receiptKey, job?.state]);

  if (job === undefined) return <Loading what={`job ${id}`} />;
  if (job === null) return <ErrorBox error={`There is no job ${id} on this chain.`} />;
  const blockOf = (state: string) => {
    if (state === 'Receipted' && receipt) return receipt.acceptedAt;
    if (state === 'Finalized' && receipt) return receipt.finalAt;
    return seen[state];
  };
  const inFlow = (FLOW as readonly string[]).includes(job.state);
  const reached = inFlow ? FLOW.indexOf(job.state as (typeof FLOW)[number]) : 0;
  return (
    <div class="job" data-testid="job-view" data-state={job.state}>
      <ol class="timeline" data-testid="job-timeline">
        {FLOW.map((state, i) => {
          const done = inFlow && i <= reached;
          const block = done ? blockOf(state) : undefined;
          return (
            <li key={state} class={done ? (i === reached ? 'current' : 'done') : 'todo'}>
              <span>{state}</span>
              {block !== undefined && (
                <span class="small">
                  {' '}
                  at <BlockLink block={block} />
                </span>
              )}
            </li>
          );
        })}
        {!inFlow && (
          <li class="current bad" data-testid="job-ended">
            {job.state}
          </li>
        )}
      </ol>
      <p data-testid="job-state" class="state-line">
        {describe(job)}
      </p>
      <dl class="facts">
        <dt>Client</dt>
        <dd>
          <AccountLink address={job.client} />
        </dd>
        <dt>Prompt</dt>
        <dd class="break">{job.prompt}</dd>
        <dt>Model</dt>
        <dd>{job.modelId}</dd>
        <dt>Image</dt>
        <dd>
          {job.params.width}×{job.params.height}, {job.params.steps} steps, {job.params.scheduler}, guidance {job.params.guidanceMilli / 1000}, seed {job.params.seed.toString()}
          {job.images > 1 ? `, ${job.images} images` : ''}
        </dd>
        <dt>Cost</dt>
        <dd>{formatUnits(job.units)} units</dd>
        <dt>Payment</dt>
        <dd>{job.payment === 0n ? 'free job' : <Ait value={job.payment} />}</dd>
        <dt>Submitted</dt>
        <dd>
          <BlockLink block={job.submittedAt} />
        </dd>
        {job.provider && (
          <>
            <dt>Provider</dt>
            <dd>
              <Link to={`/provider/${job.provider}`} class="mono">
                {job.provider}
              </Link>
            </dd>
          </>
        )}
        {job.minted !== null && (
          <>
            <dt>Minted</dt>
            <dd data-testid="job-minted">
              <Ait value={job.minted} />
            </dd>
          </>
        )}
      </dl>
      {receiptError && <ErrorBox error={receiptError} />}
      {receipt && <ReceiptFacts receipt={receipt} />}
      {audit && <AuditFacts audit={audit} />}
      {receipt && job.provider && job.state === 'Rejected' && (
        <ErrorBox title="Receipt rejected." error="The image below matches the receipt's hash, but the audit found the receipt false (or could not audit it): it is not verified work." />
      )}
      {receipt && job.provider && <Images provider={job.provider} receipt={receipt} images={job.images} jobId={job.id} />}
    </div>
  );
}

function describe(job: Job): string {
  switch (job.state) {
    case 'Pending':
      return 'Pending: waiting for a provider to take it.';
    case 'Assigned':
      return `Assigned: the provider runs it; its receipt is due by block #${job.deadline}.`;
    case 'Receipted':
      return 'Receipted: the provider submitted its signed receipt; the challenge window is open.';
    case 'Finalized':
      return 'Finalized: the receipt is final and the provider was paid.';
    case 'Cancelled':
      return 'Cancelled by its client; the payment was refunded.';
    case 'Expired':
      return 'Expired: the provider missed its deadline; the payment was refunded.';
    case 'Unclaimed':
      return 'Unclaimed: no provider took it in time; the payment was refunded.';
    case 'Rejected':
      return job.convicted
        ? 'Rejected: the audit found the receipt false; nothing was minted and the payment was refunded.'
        : 'Rejected: the receipt could not be audited; nothing was minted and the payment was refunded.';
  }
}

function ReceiptFacts({ receipt }: { receipt: Receipt }) {
  return (
    <>
      <h2>Receipt</h2>
      <dl class="facts" data-testid="receipt">
        <dt>Receipt hash</dt>
        <dd class="mono break">{receipt.hash}</dd>
        <dt>Provider</dt>
        <dd>
          <AccountLink address={receipt.provider} />
        </dd>
        <dt>Worker key</dt>
        <dd class="mono break small">{receipt.workerKey}</dd>
        <dt>Units</dt>
        <dd>{formatUnits(receipt.units)}</dd>
        <dt>GPU time</dt>
        <dd>{receipt.gpuMs} ms</dd>
        <dt>Ran on</dt>
        <dd>
          {receipt.device} ({receipt.executionProvider}, {receipt.runtimeVersion})
        </dd>
        <dt>Image SHA-256</dt>
        <dd class="mono break" data-testid="receipt-sha256">
          {receipt.artifactSha256.replace(/^0x/, '')}
        </dd>
        <dt>Prompt hash</dt>
        <dd>
          <Hash value={receipt.promptHash} />
        </dd>
        <dt>Accepted</dt>
        <dd>
          <BlockLink block={receipt.acceptedAt} />, final at <BlockLink block={receipt.finalAt} />
        </dd>
      </dl>
    </>
  );
}

function AuditFacts({ audit }: { audit: Audit }) {
  return (
    <>
      <h2>Audit</h2>
      <p data-testid="audit">
        {audit.outcome ? `Audit ${audit.outcome}` : `Audit open: ${audit.phase} phase until block #${audit.phaseEnds}`}
        {audit.escalated ? ' (escalated)' : ''}
        {audit.challenger && (
          <>
            , challenged by <AccountLink address={audit.challenger} />
          </>
        )}
      </p>
      <ul class="votes">
        {audit.votes.map((v) => (
          <li key={v.auditor}>
            <AccountLink address={v.auditor} />: {v.verdict ?? (v.committed ? 'committed' : 'pending')}
            {v.escalation ? ' (escalation panel)' : ''}
          </li>
        ))}
      </ul>
    </>
  );
}

function Images({ provider, receipt, images, jobId }: { provider: string; receipt: Receipt; images: number; jobId: number }) {
  const { api } = useChain();
  const [result, setResult] = useState<{ images: VerifiedImage[]; urls: string[]; endpoint: string } | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    let urls: string[] = [];
    setResult(null);
    (async () => {
      const offer = await getOffer(api, provider);
      if (!offer) throw new Error(`The provider ${provider} has no offer any more, so its endpoint is unknown.`);
      const verified = await fetchReceiptedImages(offer.endpoint, receipt.artifactSha256, images);
      if (!live) return;
      urls = verified.map((v) => URL.createObjectURL(new Blob([v.bytes as BlobPart], { type: 'image/png' })));
      setResult({ images: verified, urls, endpoint: offer.endpoint });
    })().catch((error) => live && setResult({ error: errorMessage(error) }));
    return () => {
      live = false;
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [api, provider, receipt.artifactSha256, images]);
  if (!result) return <Loading what="the image from the provider" />;
  if ('error' in result) {
    return (
      <div data-testid="image-error">
        <ErrorBox title="Image not shown." error={result.error} />
      </div>
    );
  }
  return (
    <div class="images">
      {result.images.map((image, i) => {
        const name = images > 1 ? `job-${jobId}-${i}.png` : `job-${jobId}.png`;
        return (
          <figure key={image.sha256} data-testid="verified-image">
            <img src={result.urls[i]} alt={`job ${jobId} image ${i}`} width={256} />
            <figcaption>
              <span class="ok">✓ SHA-256 matches the receipt</span> <span class="mono small">{image.sha256.slice(0, 16)}…</span> · {image.bytes.length} bytes from{' '}
              {result.endpoint} ·{' '}
              <a href={result.urls[i]} download={name}>
                download {name}
              </a>
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
}
