import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHART_RESOURCE_TYPES,
  PATIENT_REFERENCE_ELEMENT,
  referenceId,
  routeResource,
} from '#shared/formats/fhir/resources.ts';

describe('routeResource', () => {
  it('routes a Patient by its own id', () => {
    expect(routeResource({ resourceType: 'Patient', id: 'SYN-P1' })).toEqual({
      kind: 'patient',
      patientId: 'SYN-P1',
    });
  });

  it.each(Object.entries(PATIENT_REFERENCE_ELEMENT))('routes %s by its %s reference', (type, element) => {
    expect(
      routeResource({ resourceType: type, id: 'x1', [element]: { reference: 'Patient/SYN-P1' } }),
    ).toEqual({
      kind: 'patient',
      patientId: 'SYN-P1',
    });
  });

  it('accepts absolute URLs, _history and urn:uuid references', () => {
    const uuid = 'd78af07c-9cb9-4f31-9b11-c45a28f2eec8';
    const at = (reference: string) => routeResource({ resourceType: 'Encounter', subject: { reference } });
    expect(at('https://ehr.example.org/fhir/R4/Patient/SYN-P1')).toEqual({
      kind: 'patient',
      patientId: 'SYN-P1',
    });
    expect(at('Patient/SYN-P1/_history/3')).toEqual({ kind: 'patient', patientId: 'SYN-P1' });
    expect(at(`urn:uuid:${uuid}`)).toEqual({ kind: 'patient', patientId: uuid });
  });

  it('sends Practitioner, Organization and PractitionerRole to the shared directory', () => {
    for (const type of ['Practitioner', 'Organization', 'PractitionerRole']) {
      expect(routeResource({ resourceType: type, id: 'x' })).toEqual({ kind: 'shared' });
    }
  });

  it('rejects what is not a resource', () => {
    for (const v of [
      null,
      undefined,
      1,
      'Patient',
      [],
      [{ resourceType: 'Patient' }],
      {},
      { resourceType: '' },
      { resourceType: 7 },
    ]) {
      expect(routeResource(v)).toEqual({ kind: 'invalid', reason: 'not a FHIR resource' });
    }
  });

  it('names an unknown type, but only when it has the form of a type name', () => {
    expect(routeResource({ resourceType: 'Location', id: 'x' })).toEqual({
      kind: 'invalid',
      reason: 'unknown resource type Location',
    });
    expect(routeResource({ resourceType: 'Jane Q. Public, 1931-02-03' })).toEqual({
      kind: 'invalid',
      reason: 'unknown resource type (not a type name)',
    });
  });

  it('names the element when the patient reference is missing or unusable', () => {
    expect(routeResource({ resourceType: 'Claim', id: 'c' })).toEqual({
      kind: 'invalid',
      reason: 'Claim.patient: missing',
    });
    const unusable = 'Coverage.beneficiary: not a Patient reference (Patient/<id>)';
    for (const beneficiary of [
      { reference: '#contained-1' },
      { reference: 'RelatedPerson/SYN-R1' },
      { identifier: { system: 'urn:mrn', value: 'MRN-SECRET' } },
      { reference: 'Patient/SYN-P1', type: 'Group' },
      { reference: 'Patient/has spaces' },
      'Patient/SYN-P1',
    ]) {
      expect(routeResource({ resourceType: 'Coverage', beneficiary })).toEqual({
        kind: 'invalid',
        reason: unusable,
      });
    }
    expect(routeResource({ resourceType: 'Observation', subject: { reference: 'Group/SYN-G1' } })).toEqual({
      kind: 'invalid',
      reason: 'Observation.subject: not a Patient reference (Patient/<id>)',
    });
    expect(routeResource({ resourceType: 'Patient', id: 'has spaces' })).toEqual({
      kind: 'invalid',
      reason: 'Patient.id: missing or not a FHIR id',
    });
  });

  it('never throws, on anything', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withBoxedValues: true }), (v) => {
        const r = routeResource(v);
        expect(['patient', 'shared', 'invalid']).toContain(r.kind);
      }),
    );
  });

  it('never repeats an input value in a reason (ids, references, names)', () => {
    const marker = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `ZQX${s}`);
    const resource = fc.record({
      resourceType: fc.constantFrom(...CHART_RESOURCE_TYPES, 'Location', 'ExplanationOfBenefit'),
      id: fc.oneof(marker, fc.constant(undefined)),
      subject: fc.oneof(
        marker.map((m) => ({ reference: m })),
        marker.map((m) => ({ reference: `Patient/${m}` })),
        marker.map((m) => ({ reference: `Group/${m}`, display: m })),
        fc.constant(undefined),
      ),
      patient: fc.oneof(
        marker.map((m) => ({ reference: `urn:uuid:${m}` })),
        fc.constant(undefined),
      ),
      beneficiary: fc.oneof(
        marker.map((m) => ({ identifier: { value: m } })),
        fc.constant(undefined),
      ),
      name: marker.map((m) => [{ text: m }]),
    });
    fc.assert(
      fc.property(resource, (r) => {
        const out = routeResource(r);
        if (out.kind === 'invalid') expect(out.reason).not.toContain('ZQX');
      }),
    );
  });

  it('routes any well-formed Patient reference to its id', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/);
    const base = fc.constantFrom('', 'https://ehr.example.org/fhir/', 'http://localhost:8080/baseR4/');
    fc.assert(
      fc.property(id, base, fc.constantFrom(...Object.keys(PATIENT_REFERENCE_ELEMENT)), (pid, b, type) => {
        const element = PATIENT_REFERENCE_ELEMENT[type as keyof typeof PATIENT_REFERENCE_ELEMENT];
        expect(routeResource({ resourceType: type, [element]: { reference: `${b}Patient/${pid}` } })).toEqual(
          {
            kind: 'patient',
            patientId: pid,
          },
        );
      }),
    );
  });
});

describe('referenceId', () => {
  it('reads the id of the expected type only', () => {
    expect(referenceId({ reference: 'Encounter/e1' }, 'Encounter')).toBe('e1');
    expect(referenceId({ reference: 'Encounter/e1' }, 'Condition')).toBeUndefined();
    expect(
      referenceId(
        { reference: 'urn:uuid:0c948634-9289-4c36-bcfc-6ffa49351290', type: 'Condition' },
        'Encounter',
      ),
    ).toBeUndefined();
    expect(referenceId({ reference: 'urn:uuid:not-a-uuid' }, 'Encounter')).toBeUndefined();
    expect(referenceId(undefined, 'Encounter')).toBeUndefined();
    expect(referenceId([{ reference: 'Encounter/e1' }], 'Encounter')).toBeUndefined();
  });
});
