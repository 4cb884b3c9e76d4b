// Generate: choose a model, write a prompt, set the image and the price, see what the chain
// would charge and whether a provider could take it, sign with the connected wallet, then watch the
// job to its verified image.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { computeUnits, getFeasibility, getModels, mintFor, type Feasibility, type Model } from '../queries';
import { signAndSend, TxError, type TxProgress } from '../tx';
import { useStore } from '../store';
import { wallet } from '../wallet';
import { Ait, ErrorBox, Field, Link, Loading, useAsync, useChain } from '../ui';
import { errorMessage, formatAit, formatUnits, parseAmount } from '../format';
import { JobView } from './job';
import { TxStatus } from './wallet';

const NO_PROVIDER: Record<string, string> = {
  ModelNotServed: 'no provider serves this model',
  AllOffline: 'every provider of this model is offline',
  AllAbovePrice: 'every live provider asks more per unit than your price limit',
  SizeBeyondLimits: 'no live provider within your price runs images of this size',
};

interface Form {
  modelId: number;
  prompt: string;
  steps: string;
  width: string;
  height: string;
  seed: string;
  scheduler: 'Ddim' | 'Euler';
  guidance: string;
  maxPrice: string;
  payment: string;
  deadline: string;
}

function int(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`${what} must be a whole number.`);
  const n = Number(text);
  if (n < min || n > max) throw new Error(`${what} must be between ${min} and ${max}.`);
  return n;
}

export function Generate() {
  const { api } = useChain();
  const models = useAsync(() => getModels(api).then((all) => all.filter((m) => !m.retired)), [api]);
  if (models.state === 'loading') return <Loading what="models" />;
  if (models.state === 'error') return <ErrorBox error={models.error} />;
  if (models.value.length === 0) return <ErrorBox error="No model is registered on this chain yet: governance adds models (aitbc-worker add-model)." />;
  return <GenerateForm models={models.value} />;
}

function GenerateForm({ models }: { models: Model[] }) {
  const { api, info } = useChain();
  const account = useStore(wallet).selected;
  const consts = api.consts.jobs as unknown as Record<string, { toNumber(): number }>;
  const maxPromptLen = consts.maxPromptLen.toNumber();
  const minDeadline = consts.minDeadline.toNumber();
  const maxDeadline = consts.maxDeadline.toNumber();
  const [form, setForm] = useState<Form>({
    modelId: models[0].id,
    prompt: 'a red circle on a blue background',
    steps: '20',
    width: '256',
    height: '256',
    seed: String(Math.floor(Math.random() * 1_000_000)),
    scheduler: 'Ddim',
    guidance: '7.5',
    maxPrice: '0.01',
    payment: '0',
    deadline: String(Math.max(30, minDeadline)),
  });
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const model = models.find((m) => m.id === form.modelId) ?? models[0];

  // The request as the chain will see it, or what is wrong with it.
  const request = useMemo(() => {
    try {
      const prompt = form.prompt.trim();
      if (!prompt) throw new Error('Write a prompt.');
      const promptBytes = new TextEncoder().encode(prompt).length;
      if (promptBytes > maxPromptLen) throw new Error(`The prompt is ${promptBytes} bytes; the chain takes at most ${maxPromptLen}.`);
      const steps = int(form.steps, 'Steps', 1, model.maxSteps);
      const width = int(form.width, 'Width', 8, model.maxWidth);
      const height = int(form.height, 'Height', 8, model.maxHeight);
      if (width % 8 || height % 8) throw new Error('Width and height must be multiples of 8.');
      if (!/^\d+$/.test(form.seed.trim()) || BigInt(form.seed.trim()) > 2n ** 64n - 1n) {
        throw new Error('The seed must be a whole number below 2^64.');
      }
      const guidance = Number(form.guidance);
      if (!Number.isFinite(guidance) || guidance < 0 || guidance > 100) throw new Error('Guidance must be a number from 0 to 100.');
      const deadline = int(form.deadline, 'Deadline', minDeadline, maxDeadline);
      const maxPrice = parseAmount(form.maxPrice, info.decimals);
      const payment = parseAmount(form.payment, info.decimals);
      const params = { steps, guidanceMilli: Math.round(guidance * 1000), width, height, seed: BigInt(form.seed.trim()), scheduler: form.scheduler };
      const units = computeUnits(steps, width, height, model.unitWeightMilli);
      return { ok: true as const, prompt, params, deadline, maxPrice, payment, units };
    } catch (error) {
      return { ok: false as const, error: errorMessage(error) };
    }
  }, [form, model]);

  const [feasibility, setFeasibility] = useState<Feasibility | string | null>(null);
  const [fee, setFee] = useState<bigint | null>(null);
  useEffect(() => {
    setFeasibility(null);
    setFee(null);
    if (!request.ok) return;
    let live = true;
    const timer = setTimeout(() => {
      getFeasibility(api, model.id, request.params, request.maxPrice).then(
        (f) => live && setFeasibility(f),
        (e) => live && setFeasibility(`The chain could not answer whether a provider could take it: ${errorMessage(e)}`),
      );
      if (account) {
        api.tx.jobs
          .submitJob(model.id, request.prompt, request.params, request.maxPrice, request.payment, request.deadline)
          .paymentInfo(account)
          .then(
            (i) => live && setFee(i.partialFee.toBigInt()),
            () => live && setFee(-1n),
          );
      }
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, request, account]);

  const [progress, setProgress] = useState<TxProgress | null>(null);
  const [jobId, setJobId] = useState<number | null>(null);
  const busy = progress?.phase === 'signing' || progress?.phase === 'submitted';

  const submit = async () => {
    if (!request.ok || !account) return;
    setJobId(null);
    try {
      const tx = api.tx.jobs.submitJob(model.id, request.prompt, request.params, request.maxPrice, request.payment, request.deadline);
      const included = await signAndSend(api, tx, account, setProgress);
      const submitted = included.events.find(({ event }) => event.section === 'jobs' && event.method === 'JobSubmitted');
      if (!submitted) throw new Error('The transaction is in a block but no JobSubmitted event was found.');
      const id = (submitted.event.data[0] as unknown as { toNumber(): number }).toNumber();
      setJobId(id);
    } catch (error) {
      // signAndSend reports its own failures; anything else (building the call, reading the
      // events) is said here.
      if (!(error instanceof TxError)) setProgress({ phase: 'failed', error: errorMessage(error), kind: 'other' });
    }
  };

  const free = request.ok && request.payment === 0n;
  return (
    <section>
      <h1>Generate an image</h1>
      <form
        class="grid"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Model">
          <select name="model" value={String(model.id)} onChange={(e) => set({ modelId: Number(e.currentTarget.value) })}>
            {models.map((m) => (
              <option key={m.id} value={String(m.id)}>
                {m.id}: {m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Prompt" hint={`at most ${maxPromptLen} bytes`}>
          <textarea name="prompt" rows={2} value={form.prompt} onInput={(e) => set({ prompt: e.currentTarget.value })} />
        </Field>
        <Field label="Steps" hint={`1 to ${model.maxSteps}`}>
          <input name="steps" inputMode="numeric" value={form.steps} onInput={(e) => set({ steps: e.currentTarget.value })} />
        </Field>
        <Field label="Width" hint={`multiple of 8, at most ${model.maxWidth}`}>
          <input name="width" inputMode="numeric" value={form.width} onInput={(e) => set({ width: e.currentTarget.value })} />
        </Field>
        <Field label="Height" hint={`multiple of 8, at most ${model.maxHeight}`}>
          <input name="height" inputMode="numeric" value={form.height} onInput={(e) => set({ height: e.currentTarget.value })} />
        </Field>
        <Field label="Seed">
          <input name="seed" inputMode="numeric" value={form.seed} onInput={(e) => set({ seed: e.currentTarget.value })} />
        </Field>
        <Field label="Scheduler">
          <select name="scheduler" value={form.scheduler} onChange={(e) => set({ scheduler: e.currentTarget.value as Form['scheduler'] })}>
            <option value="Ddim">DDIM</option>
            <option value="Euler">Euler</option>
          </select>
        </Field>
        <Field label="Guidance">
          <input name="guidance" value={form.guidance} onInput={(e) => set({ guidance: e.currentTarget.value })} />
        </Field>
        <Field label={`Max price per unit (${info.token})`}>
          <input name="maxPrice" value={form.maxPrice} onInput={(e) => set({ maxPrice: e.currentTarget.value })} />
        </Field>
        <Field label={`Payment (${info.token})`} hint="0: a free job (feeless within your quota)">
          <input name="payment" value={form.payment} onInput={(e) => set({ payment: e.currentTarget.value })} />
        </Field>
        <Field label="Deadline (blocks)" hint={`${minDeadline} to ${maxDeadline}`}>
          <input name="deadline" inputMode="numeric" value={form.deadline} onInput={(e) => set({ deadline: e.currentTarget.value })} />
        </Field>
      </form>
      <div class="quote" data-testid="quote">
        {!request.ok ? (
          <ErrorBox error={request.error} />
        ) : (
          <>
            <p>
              Cost on chain: <strong data-testid="quote-units">{formatUnits(request.units)} units</strong>; at your price limit the provider is minted at most{' '}
              <Ait value={mintFor(request.units, request.maxPrice)} />.{' '}
              {free ? 'Free job: no payment is held.' : <>Payment held in escrow until the job ends: <Ait value={request.payment} />.</>}{' '}
              Transaction fee:{' '}
              {fee === null
                ? account
                  ? '…'
                  : 'connect a wallet to see it'
                : free
                  ? 'none within your free-job quota'
                  : fee < 0n
                    ? 'the node could not estimate it'
                    : formatAit(fee, info.decimals, info.token)}
              .
            </p>
            <Feasible f={feasibility} />
          </>
        )}
      </div>
      {account ? (
        <button type="button" class="primary" disabled={!request.ok || busy} onClick={submit} data-testid="submit-job">
          Sign and submit
        </button>
      ) : (
        <p>
          <Link to="/wallet">Connect a wallet</Link> to sign the job.
        </p>
      )}
      {progress && <TxStatus progress={progress} />}
      {jobId !== null && (
        <>
          <h2>
            <Link to={`/job/${jobId}`}>Job {jobId}</Link>
          </h2>
          <JobView id={jobId} key={jobId} />
        </>
      )}
    </section>
  );
}

function Feasible({ f }: { f: Feasibility | string | null }) {
  const { info } = useChain();
  if (!f) return <p class="muted">Asking the chain whether a provider could take it…</p>;
  if (typeof f === 'string') {
    return (
      <p class="bad" data-testid="feasibility" role="status">
        {f}
      </p>
    );
  }
  if (f.blocker) {
    return (
      <p class="bad" data-testid="feasibility">
        No provider could take this job: {NO_PROVIDER[f.blocker] ?? f.blocker}
        {f.blocker === 'AllAbovePrice' && f.cheapestPrice !== null ? ` (the cheapest asks ${formatAit(f.cheapestPrice, info.decimals, info.token)} per unit)` : ''}
        {f.blocker === 'SizeBeyondLimits' && f.largestPixels !== null ? ` (the largest image served is ${f.largestPixels} pixels)` : ''}. It would wait and be refunded.
      </p>
    );
  }
  return (
    <p class="ok" data-testid="feasibility">
      {f.able} provider{f.able === 1 ? '' : 's'} can take it, {f.free} with a free slot now; {f.pendingAhead} job{f.pendingAhead === 1 ? '' : 's'} queued ahead
      {f.waitEstimateMs === 0 ? '; no wait expected' : f.waitEstimateMs !== null ? `; expected wait about ${(f.waitEstimateMs / 1000).toFixed(1)} s` : ''}.
    </p>
  );
}
