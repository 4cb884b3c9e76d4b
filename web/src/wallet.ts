// A non-custodial wallet: accounts and signatures come from a browser extension through the
// polkadot.js extension interface (`window.injectedWeb3`). The page never sees a secret.
import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';
import type { InjectedAccountWithMeta } from '@polkadot/extension-inject/types';
import type { Signer } from '@polkadot/api/types';
import { Store } from './store';
import { errorMessage } from './format';

export const APP_NAME = 'AITBC';
const SELECTED_KEY = 'aitbc.account';

export interface WalletState {
  status: 'disconnected' | 'connecting' | 'connected' | 'failed';
  extensions: string[];
  accounts: InjectedAccountWithMeta[];
  selected: string | null;
  error?: string;
}

export const wallet = new Store<WalletState>({ status: 'disconnected', extensions: [], accounts: [], selected: null });

function remembered(): string | null {
  try {
    return localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

/** Asks the installed extensions for access; the user approves in the extension. */
export async function connectWallet(): Promise<void> {
  wallet.set({ ...wallet.value, status: 'connecting', error: undefined });
  try {
    const extensions = await web3Enable(APP_NAME);
    if (extensions.length === 0) {
      throw new Error(
        'No wallet extension answered. Install the polkadot{.js} extension (or Talisman, SubWallet), allow this page in it, and reload.',
      );
    }
    const accounts = await web3Accounts();
    if (accounts.length === 0) {
      throw new Error(`The extension (${extensions.map((e) => e.name).join(', ')}) shares no account with this page: create or allow one in it.`);
    }
    const last = remembered();
    const selected = accounts.some((a) => a.address === last) ? last : accounts[0].address;
    wallet.set({ status: 'connected', extensions: extensions.map((e) => e.name), accounts, selected });
  } catch (error) {
    wallet.set({ status: 'failed', extensions: [], accounts: [], selected: null, error: errorMessage(error) });
  }
}

export function selectAccount(address: string): void {
  try {
    localStorage.setItem(SELECTED_KEY, address);
  } catch {
    // not remembered
  }
  wallet.set({ ...wallet.value, selected: address });
}

/** Raised when the wallet would not sign (the user rejected, or the extension failed). */
export class SignatureRejected extends Error {}

/** The extension's signer for `address`; a refusal to sign becomes `SignatureRejected`. */
export async function signerFor(address: string): Promise<Signer> {
  const injector = await web3FromAddress(address);
  const signer = injector.signer;
  if (!signer.signPayload) throw new Error(`The extension ${injector.name} cannot sign transactions.`);
  return {
    signPayload: async (payload) => {
      try {
        return await signer.signPayload!(payload);
      } catch (error) {
        throw new SignatureRejected(`The wallet did not sign: ${errorMessage(error)}`);
      }
    },
  };
}
