import { ChainHead } from '@hitl/audit-trail';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Auditor, scopedWorkspace, serviceTable } from '@hitl/service-kit';
import { HeadCheck, SignedHead, checkHead, headSignatureValid, signHead } from './chain-head';
import { HeadSigner } from './head-signer';
import { chainBroken } from './head.errors';
import { VerifyService } from './verify.service';

/** Signed chain heads: exported now, checked later. */
@Injectable()
export class HeadService {
  constructor(
    private readonly verifier: VerifyService,
    private readonly signer: HeadSigner,
    private readonly dataSource: DataSource,
  ) {}

  /** The workspace's last link, once the whole chain verifies, signed. */
  async export(auditor: Auditor, requested: string | undefined, now: Date): Promise<SignedHead> {
    const workspace = scopedWorkspace(auditor, requested);
    const key = this.signer.privateKey;
    const [result] = await this.verifier.verify(workspace);
    if (result.first_break) throw chainBroken(result.first_break);
    return signHead({ workspace, chain_index: result.head.chain_index, hash: result.head.hash, exported_at: now.toISOString() }, key);
  }

  async check(auditor: Auditor, head: SignedHead): Promise<HeadCheck> {
    scopedWorkspace(auditor, head.workspace);
    if (!headSignatureValid(head, this.signer.publicKey))
      return { ok: false, reason: 'the signature does not match: this head was not signed by this audit key, or was changed' };
    const [row] = await this.dataSource.query(`SELECT hash FROM ${this.table('events')} WHERE workspace = $1 AND chain_index = $2`, [
      head.workspace,
      head.chain_index,
    ]);
    const [checkpoint] = await this.dataSource.query(
      `SELECT chain_index::int AS chain_index, hash FROM ${this.table('chain_checkpoints')} WHERE workspace = $1`,
      [head.workspace],
    );
    const [verified] = await this.verifier.verify(head.workspace);
    return checkHead(head, {
      rowHash: (row as { hash: string } | undefined)?.hash ?? null,
      checkpoint: (checkpoint as ChainHead | undefined) ?? null,
      verified,
    });
  }

  private table(name: string): string {
    return serviceTable(this.dataSource.manager, name);
  }
}
