// Source: 1EdTech Open Badges 3.0 Implementation Guide, appendix "Linked Data Proof" (ob_v3p0/impl/linked-data-proof-ob.html
// in github.com/1EdTech/openbadges-specification): signing 15-Credential.json with the test key pair must give
// 16-Signed-credential.json; Ed25519 and RDFC-1.0 are deterministic, so byte for byte.
import { readFileSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import jsonld from 'jsonld';
import { createDocumentLoader } from '../../../src/credentials/document-loader.js';
import { signCredential } from '../../../src/credentials/sign.js';
import { describeWithSpec, readSpecJson, readSpecText } from './spec.js';

const testKey = JSON.parse(readFileSync(new URL('./test-key.json', import.meta.url), 'utf8'));

async function canonize(document: unknown): Promise<string> {
  return jsonld.canonize(document, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    documentLoader: createDocumentLoader(),
    safe: true,
  });
}

describeWithSpec('OB 3.0 eddsa-rdfc-2022 test vector', () => {
  it('signing 15-Credential.json reproduces 16-Signed-credential.json byte for byte', async () => {
    const input = readSpecJson('test-vector/15-Credential.json');
    const expectedText = readSpecText('test-vector/16-Signed-credential.json');
    const expected = JSON.parse(expectedText);

    const signed = await signCredential(input, testKey, new Date(testKey.created));

    expect((signed.proof as { proofValue: string }).proofValue).toBe(expected.proof.proofValue);
    expect(signed).toEqual(expected);
    expect(JSON.stringify(signed, null, 2)).toBe(expectedText.trimEnd());
  });

  it('canonical N-Quads of the document and the proof options equal the published ones', async () => {
    const signed = readSpecJson('test-vector/16-Signed-credential.json');
    const { proof, ...document } = signed;
    const { proofValue: _ignored, ...proofOptions } = proof;
    expect(await canonize(document)).toBe(`${readSpecText('test-vector/document-canon.txt').trimEnd()}\n`);
    expect(await canonize({ '@context': document['@context'], ...proofOptions })).toBe(
      `${readSpecText('test-vector/proof-canon.txt').trimEnd()}\n`,
    );
  });
});
