// The chain's compute-economy storage and runtime API, read into plain objects. The types come
// from the node's metadata at run time; these functions name the fields the pages use.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ApiPromise } from '@polkadot/api';
import { u8aToString } from '@polkadot/util';

export type JobStateName = 'Pending' | 'Assigned' | 'Receipted' | 'Finalized' | 'Cancelled' | 'Expired' | 'Unclaimed' | 'Rejected';

export interface JobParams {
  steps: number;
  guidanceMilli: number;
  width: number;
  height: number;
  seed: bigint;
  scheduler: string;
}

export interface Job {
  id: number;
  client: string;
  modelId: number;
  prompt: string;
  params: JobParams;
  images: number;
  units: bigint;
  maxPricePerUnit: bigint;
  payment: bigint;
  deadlineBlocks: number;
  submittedAt: number;
  batch: number | null;
  state: JobStateName;
  provider: string | null;
  receiptHash: string | null;
  /** Assigned: the block by which the receipt is due. */
  deadline: number | null;
  minted: bigint | null;
  pricePerUnit: bigint | null;
  convicted: boolean | null;
}

const text = (bytes: any): string => u8aToString(bytes.toU8a(true));

export function decodeJob(id: number, raw: any): Job {
  const state = raw.state;
  const type = state.type as JobStateName;
  const inner = state.isPending || state.isCancelled || state.isUnclaimed ? null : (state.value as any);
  const params = raw.params;
  return {
    id,
    client: raw.client.toString(),
    modelId: raw.modelId.toNumber(),
    prompt: text(raw.prompt),
    params: {
      steps: params.steps.toNumber(),
      guidanceMilli: params.guidanceMilli.toNumber(),
      width: params.width.toNumber(),
      height: params.height.toNumber(),
      seed: params.seed.toBigInt(),
      scheduler: params.scheduler.type,
    },
    images: raw.images.toNumber(),
    units: raw.units.toBigInt(),
    maxPricePerUnit: raw.maxPricePerUnit.toBigInt(),
    payment: raw.payment.toBigInt(),
    deadlineBlocks: raw.deadlineBlocks.toNumber(),
    submittedAt: raw.submittedAt.toNumber(),
    batch: raw.batch.isSome ? raw.batch.unwrap().toNumber() : null,
    state: type,
    provider: inner?.provider ? inner.provider.toString() : null,
    receiptHash: inner?.receiptHash ? inner.receiptHash.toHex() : null,
    deadline: inner?.deadline ? inner.deadline.toNumber() : null,
    minted: inner?.minted ? inner.minted.toBigInt() : null,
    pricePerUnit: inner?.pricePerUnit ? inner.pricePerUnit.toBigInt() : null,
    convicted: inner?.convicted !== undefined ? inner.convicted.isTrue : null,
  };
}

/** The hash of block `number`, or null when the chain has no such block yet (the node answers
 * with an empty or zero hash). */
export async function getBlockHash(api: ApiPromise, number: number): Promise<string | null> {
  const hash = await api.rpc.chain.getBlockHash(number);
  return hash.isEmpty || /^0x0+$/.test(hash.toHex()) ? null : hash.toHex();
}

export async function getJob(api: ApiPromise, id: number): Promise<Job | null> {
  const raw: any = await api.query.jobs.jobs(id);
  return raw.isSome ? decodeJob(id, raw.unwrap()) : null;
}

export interface Receipt {
  hash: string;
  jobId: number;
  provider: string;
  client: string;
  workerKey: string;
  modelId: number;
  units: bigint;
  gpuMs: number;
  promptHash: string;
  paramsHash: string;
  artifactSha256: string;
  startedAt: number;
  finishedAt: number;
  executionProvider: string;
  device: string;
  runtimeVersion: string;
  acceptedAt: number;
  finalAt: number;
}

export function decodeReceipt(hash: string, raw: any): Receipt {
  const r = raw.receipt;
  return {
    hash,
    jobId: r.jobId.toNumber(),
    provider: r.provider.toString(),
    client: r.client.toString(),
    workerKey: `${r.workerKey.type} ${r.workerKey.value.toHex()}`,
    modelId: r.modelId.toNumber(),
    units: r.units.toBigInt(),
    gpuMs: r.gpuMs.toNumber(),
    promptHash: r.promptHash.toHex(),
    paramsHash: r.paramsHash.toHex(),
    artifactSha256: r.artifactSha256.toHex(),
    startedAt: r.startedAt.toNumber(),
    finishedAt: r.finishedAt.toNumber(),
    executionProvider: text(r.execution.executionProvider),
    device: text(r.execution.device),
    runtimeVersion: text(r.execution.runtimeVersion),
    acceptedAt: raw.acceptedAt.toNumber(),
    finalAt: raw.finalAt.toNumber(),
  };
}

export async function getReceipt(api: ApiPromise, provider: string, hash: string): Promise<Receipt | null> {
  const raw: any = await api.query.receipts.receipts(provider, hash);
  return raw.isSome ? decodeReceipt(hash, raw.unwrap()) : null;
}

export interface Model {
  id: number;
  name: string;
  unitWeightMilli: number;
  maxWidth: number;
  maxHeight: number;
  maxSteps: number;
  retired: boolean;
}

export async function getModels(api: ApiPromise): Promise<Model[]> {
  const entries = await api.query.marketplace.models.entries();
  return entries
    .map(([key, value]: [any, any]) => {
      const m = value.unwrap();
      return {
        id: key.args[0].toNumber(),
        name: text(m.name),
        unitWeightMilli: m.unitWeightMilli.toNumber(),
        maxWidth: m.maxWidth.toNumber(),
        maxHeight: m.maxHeight.toNumber(),
        maxSteps: m.maxSteps.toNumber(),
        retired: m.retired.isTrue,
      };
    })
    .sort((a, b) => a.id - b.id);
}

export interface Offer {
  provider: string;
  models: number[];
  pricePerUnit: bigint;
  gpuName: string;
  gpuMemoryMib: number;
  endpoint: string;
  capacity: number;
  maxPixels: number;
  paused: boolean;
  inFlight: number;
  lastSeen: number;
  offline: boolean;
}

export function decodeOffer(provider: string, raw: any): Offer {
  const t = raw.terms;
  return {
    provider,
    models: t.models.map((m: any) => m.toNumber()),
    pricePerUnit: t.pricePerUnit.toBigInt(),
    gpuName: text(t.gpuName),
    gpuMemoryMib: t.gpuMemoryMib.toNumber(),
    endpoint: text(t.endpoint),
    capacity: t.capacity.toNumber(),
    maxPixels: t.maxPixels.toNumber(),
    paused: raw.paused.isTrue,
    inFlight: raw.inFlight.toNumber(),
    lastSeen: raw.lastSeen.toNumber(),
    offline: raw.offline.isTrue,
  };
}

export async function getOffers(api: ApiPromise): Promise<Offer[]> {
  const entries = await api.query.marketplace.offers.entries();
  return entries.map(([key, value]: [any, any]) => decodeOffer(key.args[0].toString(), value.unwrap()));
}

export async function getOffer(api: ApiPromise, provider: string): Promise<Offer | null> {
  const raw: any = await api.query.marketplace.offers(provider);
  return raw.isSome ? decodeOffer(provider, raw.unwrap()) : null;
}

export interface Reputation {
  completed: number;
  expired: number;
  cancelledAfterAssign: number;
  failedChecks: number;
  passedChecks: number;
  medianGpuMs: number | null;
}

/** The runtime's own summary (`ComputeApi_reputation`), so the median is the chain's. */
export async function getReputation(api: ApiPromise, provider: string): Promise<Reputation> {
  const r: any = await (api.call as any).computeApi.reputation(provider);
  return {
    completed: r.completed.toNumber(),
    expired: r.expired.toNumber(),
    cancelledAfterAssign: r.cancelledAfterAssign.toNumber(),
    failedChecks: r.failedChecks.toNumber(),
    passedChecks: r.passedChecks.toNumber(),
    medianGpuMs: r.medianGpuMs.isSome ? r.medianGpuMs.unwrap().toNumber() : null,
  };
}

export async function getReceiptedJobs(api: ApiPromise, provider: string): Promise<number[]> {
  const ids: any = await (api.call as any).computeApi.receiptedJobs(provider);
  return ids.map((id: any) => id.toNumber());
}

export interface Vote {
  auditor: string;
  escalation: boolean;
  committed: boolean;
  verdict: string | null;
}

export interface Audit {
  provider: string;
  phase: string;
  phaseEnds: number;
  openedAt: number;
  escalated: boolean;
  outcome: string | null;
  votes: Vote[];
  challenger: string | null;
}

export function decodeAudit(raw: any): Audit {
  return {
    provider: raw.provider.toString(),
    phase: raw.phase.type,
    phaseEnds: raw.phaseEnds.toNumber(),
    openedAt: raw.openedAt.toNumber(),
    escalated: raw.escalated.isTrue,
    outcome: raw.outcome.isSome ? raw.outcome.unwrap().type : null,
    votes: raw.votes.map((v: any) => ({
      auditor: v.auditor.toString(),
      escalation: v.escalation.isTrue,
      committed: v.commitment.isSome,
      verdict: v.verdict.isSome ? v.verdict.unwrap().type : null,
    })),
    challenger: raw.challenge.isSome ? raw.challenge.unwrap().challenger.toString() : null,
  };
}

export interface Feasibility {
  serving: number;
  live: number;
  withinPrice: number;
  able: number;
  free: number;
  cheapestPrice: bigint | null;
  largestPixels: number | null;
  pendingAhead: number;
  waitEstimateMs: number | null;
  blocker: string | null;
}

export async function getFeasibility(api: ApiPromise, modelId: number, params: object, maxPrice: bigint): Promise<Feasibility> {
  const f: any = await (api.call as any).computeApi.feasibility(modelId, params, maxPrice);
  return {
    serving: f.serving.toNumber(),
    live: f.live.toNumber(),
    withinPrice: f.withinPrice.toNumber(),
    able: f.able.toNumber(),
    free: f.free.toNumber(),
    cheapestPrice: f.cheapestPrice.isSome ? f.cheapestPrice.unwrap().toBigInt() : null,
    largestPixels: f.largestPixels.isSome ? f.largestPixels.unwrap().toNumber() : null,
    pendingAhead: f.pendingAhead.toNumber(),
    waitEstimateMs: f.waitEstimateMs.isSome ? f.waitEstimateMs.unwrap().toNumber() : null,
    blocker: f.blocker.isSome ? f.blocker.unwrap().type : null,
  };
}

/** The chain's cost of a job in milli-units: steps × width × height / 512² × weight. */
export function computeUnits(steps: number, width: number, height: number, unitWeightMilli: number): bigint {
  return (BigInt(steps) * BigInt(width) * BigInt(height) * BigInt(unitWeightMilli)) / 262_144n;
}

/** What a provider is minted for `units` milli-units at `pricePerUnit`. */
export function mintFor(units: bigint, pricePerUnit: bigint): bigint {
  return (units * pricePerUnit) / 1000n;
}
