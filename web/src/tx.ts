/* eslint-disable @typescript-eslint/no-explicit-any */
// Signing and sending a transaction, with its progress and its failure named as the chain names it.
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { errorMessage } from './format';

/** `TransactionSource::External`'s SCALE index (InBlock 0, Local 1, External 2). */
const TRANSACTION_SOURCE_EXTERNAL = 2;
import { SignatureRejected, signerFor } from './wallet';

export type TxProgress =
  | { phase: 'signing' }
  | { phase: 'submitted'; hash: string }
  | { phase: 'in-block'; block: number; hash: string }
  | { phase: 'failed'; error: string; kind: 'rejected' | 'invalid' | 'dispatch' | 'other' };

export interface Included {
  blockHash: string;
  block: number;
  events: EventRecord[];
}

export class TxError extends Error {
  constructor(
    message: string,
    readonly kind: 'rejected' | 'invalid' | 'dispatch' | 'other',
  ) {
    super(message);
  }
}

/** "jobs.InvalidSteps: The steps are 0 or above the model's limit." */
export function describeDispatchError(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    try {
      const meta = api.registry.findMetaError(error.asModule);
      const docs = meta.docs.join(' ').trim();
      return `${meta.section}.${meta.name}${docs ? `: ${docs}` : ''}`;
    } catch {
      // fall through to the generic form
    }
  }
  if (error.isToken) return `Token.${error.asToken.type}`;
  if (error.isArithmetic) return `Arithmetic.${error.asArithmetic.type}`;
  return error.type === 'Other' ? error.toString() : error.type;
}

/** The node's refusal of a transaction ("1010: Invalid Transaction: …") as a sentence. */
function describeSubmitError(error: unknown): TxError {
  if (error instanceof SignatureRejected) return new TxError(error.message, 'rejected');
  const message = errorMessage(error);
  const invalid = /^(1010|1011|1012|1013|1014|1015|1016): (.*)$/s.exec(message);
  if (invalid) return new TxError(`The node refused the transaction: ${invalid[2]}`, 'invalid');
  return new TxError(message, 'other');
}

// What Substrate says of each way a transaction can be invalid (sp_runtime's Display texts).
const INVALID: Record<string, string> = {
  Call: 'the call is not allowed',
  Payment: 'inability to pay some fees (e.g. account balance too low)',
  Future: 'it will only be valid in the future (nonce too high)',
  Stale: 'it is outdated (nonce already used)',
  BadProof: 'it has a bad signature',
  AncientBirthBlock: 'its birth block is ancient',
  ExhaustsResources: 'it would exhaust the block\'s resources',
  BadMandatory: 'a mandatory dispatch failed',
  MandatoryValidation: 'it is a mandatory dispatch sent as an extrinsic',
  BadSigner: 'the signer is not allowed',
  IndeterminateImplicit: 'an implication could not be determined',
  UnknownOrigin: 'the origin is unknown',
};

/** "Invalid Transaction: Payment (inability to pay some fees …)" from a TransactionValidityError. */
export function describeValidityError(error: any): string {
  if (error.isInvalid) {
    const invalid = error.asInvalid;
    if (invalid.isCustom) return `Invalid Transaction: Custom error ${invalid.asCustom.toNumber()} (the chain's own check refused it)`;
    return `Invalid Transaction: ${invalid.type}${INVALID[invalid.type] ? ` (${INVALID[invalid.type]})` : ''}`;
  }
  const unknown = error.asUnknown;
  return `Unknown Transaction: ${unknown.isCustom ? `Custom error ${unknown.asCustom.toNumber()}` : unknown.type}`;
}

/** Signs `tx` with the wallet's key for `address`, asks the node whether it would take it (so a
 * refusal is named before anything is sent), sends it and resolves once it is in a block and
 * succeeded; rejects with a `TxError` saying why otherwise. */
export async function signAndSend(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  address: string,
  onProgress: (progress: TxProgress) => void,
): Promise<Included> {
  const fail = (error: TxError): never => {
    onProgress({ phase: 'failed', error: error.message, kind: error.kind });
    throw error;
  };
  onProgress({ phase: 'signing' });
  try {
    await tx.signAsync(address, { signer: await signerFor(address) });
  } catch (error) {
    return fail(describeSubmitError(error));
  }
  try {
    // The runtime's own check, as the pool would run it: (source External, the extrinsic, the
    // best block). Encoded by hand: api.call's encoding of the extrinsic argument does not decode
    // in the runtime ("Bad input data provided to validate_transaction").
    const best = await api.rpc.chain.getBlockHash();
    const input = u8aToHex(u8aConcat(new Uint8Array([TRANSACTION_SOURCE_EXTERNAL]), tx.toU8a(), best.toU8a()));
    const answer = await api.rpc.state.call('TaggedTransactionQueue_validate_transaction', input, best);
    const validity: any = api.registry.createType('TransactionValidity', answer);
    if (validity.isErr) return fail(new TxError(`The node refused the transaction: ${describeValidityError(validity.asErr)}`, 'invalid'));
  } catch (error) {
    if (error instanceof TxError) throw error;
    return fail(describeSubmitError(error));
  }
  return new Promise<Included>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const finish = (action: () => void) => {
      if (done) return;
      done = true;
      unsubscribe?.();
      action();
    };
    tx.send((result) => {
      const { status, dispatchError, events } = result;
      if (status.isReady || status.isBroadcast) onProgress({ phase: 'submitted', hash: tx.hash.toHex() });
      if (status.isInBlock) {
        const blockHash = status.asInBlock.toHex();
        if (dispatchError) {
          const error = new TxError(`The transaction failed: ${describeDispatchError(api, dispatchError)}`, 'dispatch');
          finish(() => {
            onProgress({ phase: 'failed', error: error.message, kind: 'dispatch' });
            reject(error);
          });
          return;
        }
        api.rpc.chain
          .getHeader(blockHash)
          .then((header) => {
            const block = header.number.toNumber();
            finish(() => {
              onProgress({ phase: 'in-block', block, hash: blockHash });
              resolve({ blockHash, block, events });
            });
          })
          .catch((error) => finish(() => reject(describeSubmitError(error))));
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        const error = new TxError(`The transaction was ${status.type.toLowerCase()} by the node's pool.`, 'invalid');
        finish(() => {
          onProgress({ phase: 'failed', error: error.message, kind: 'invalid' });
          reject(error);
        });
      }
    })
      .then((unsub) => {
        unsubscribe = unsub;
        if (done) unsub();
      })
      .catch((error) => {
        const described = describeSubmitError(error);
        finish(() => {
          onProgress({ phase: 'failed', error: described.message, kind: described.kind });
          reject(described);
        });
      });
  });
}
