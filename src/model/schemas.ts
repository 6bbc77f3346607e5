/**
 * The data model of the portal: one zod schema per kind of content file.
 *
 * This module is the single source of truth for what a content file may hold.
 * The loader (`src/content/load.ts`), the content check, the pages, the open
 * data exports and the tests all read content through these schemas, so a field
 * added here is validated everywhere at once. Cross-references between files
 * (unit ids, item ids, source ids …) are checked by `src/content/integrity.ts`.
 *
 * Conventions:
 * - Ids are lower-case ASCII slugs; they appear in URLs and must never change.
 * - Text copied from a source document is kept verbatim, in the source's own
 *   script and punctuation. Fields the source does not give are left out, and
 *   the pages show them as 未公开 (not disclosed) — never a guess.
 * - Dates are ISO strings. A date the source gives only to the month or year is
 *   written `YYYY-MM` or `YYYY`.
 */
import { z } from 'zod';
import { STATUS_IDS } from '../domain/status.ts';
import { POLLUTION_TYPES } from '../domain/complaint.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id 只能包含小写字母、数字和连字符');

/** A full ISO calendar date, e.g. 2020-07-30. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '日期格式应为 YYYY-MM-DD');

/** A date known to the day, month or year only: 2020-07-30, 2017-10, 2017. */
export const partialDate = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, '日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD');

const text = z.string().trim().min(1, '不能为空');

/** Where a statement comes from: a source document and, optionally, where in it. */
export const sourceRef = z
  .object({
    doc: slug,
    /** Where in the document, in the document's own terms: "附件 第七项". */
    locator: z.string().optional(),
    /** A short verbatim quotation supporting the statement. */
    quote: z.string().optional(),
  })
  .strict();
export type SourceRef = z.infer<typeof sourceRef>;

/** A published document the portal's content is taken from. */
export const sourceDocument = z
  .object({
    id: slug,
    title: text,
    /** 文号, e.g. 武办字〔2020〕47号. */
    docNumber: z.string().optional(),
    issuers: z.array(text).min(1),
    /** Date the document was signed or issued. */
    issued: partialDate.optional(),
    /** Date it was published on the web, where the page says. */
    published: partialDate.optional(),
    /** The web site or outlet that published it. */
    publishedBy: z.string().optional(),
    url: z.url().optional(),
    script: z.enum(['simplified', 'traditional']),
    /** File name of the archived copy in the project's seed documents. */
    archivedCopy: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type SourceDocument = z.infer<typeof sourceDocument>;

export const REGION_LEVELS = ['national', 'province', 'prefecture', 'county', 'district'] as const;
export const region = z
  .object({
    id: slug,
    name: text,
    /** Short name used in running text: 武威 for 武威市. */
    shortName: z.string().optional(),
    level: z.enum(REGION_LEVELS),
    parent: slug.optional(),
    /** Other spellings met in sources, e.g. Traditional 蘭州新區. */
    aliases: z.array(z.string()).default([]),
  })
  .strict();
export type Region = z.infer<typeof region>;

export const unit = z
  .object({
    id: slug,
    name: text,
    /** collective: a group such as 各县区政府; body: one organisation. */
    kind: z.enum(['body', 'collective']),
    region: slug,
    aliases: z.array(z.string()).default([]),
    note: z.string().optional(),
  })
  .strict();
export type Unit = z.infer<typeof unit>;

export const topic = z
  .object({
    id: slug,
    label: text,
    /**
     * The complaint pollution types (src/domain/complaint.ts) this topic's items are about, where
     * that is clear: the rebound watch (src/domain/rebound.ts) matches complaints by them. Editorial;
     * a topic without it (责任落实, 产业结构 …) never matches a complaint.
     */
    pollutionTypes: z.array(z.enum(POLLUTION_TYPES)).min(1).optional(),
  })
  .strict();
export type Topic = z.infer<typeof topic>;

export const INSPECTION_LEVELS = ['central', 'provincial'] as const;
export const INSPECTION_KINDS = ['例行', '专项', '回头看'] as const;

export const inspection = z
  .object({
    id: slug,
    name: text,
    level: z.enum(INSPECTION_LEVELS),
    kinds: z.array(z.enum(INSPECTION_KINDS)).min(1),
    /** 第几轮; left out where no source says. */
    round: z.number().int().positive().optional(),
    /** 督察组, e.g. 中央第五生态环境保护督察组. */
    team: z.string().optional(),
    /** The jurisdiction inspected. */
    region: slug,
    stationedFrom: partialDate.optional(),
    stationedTo: partialDate.optional(),
    feedbackOn: partialDate.optional(),
    sources: z.array(sourceRef).min(1),
    note: z.string().optional(),
  })
  .strict();
export type Inspection = z.infer<typeof inspection>;

/** Fields of an item (or item part) that an amendment may rewrite. */
export const AMENDABLE_FIELDS = ['target', 'deadline', 'measures', 'responsibleUnits'] as const;
export type AmendableField = (typeof AMENDABLE_FIELDS)[number];

export const amendmentChange = z
  .object({
    item: slug,
    /** Part label, when the change concerns one part of a multi-part item. */
    part: z.string().optional(),
    field: z.enum(AMENDABLE_FIELDS),
    /** 审核意见: the reviewing body's opinion that led to the change. */
    opinion: z.string().optional(),
    /** Explanation the notice gives between the opinion and the new text. */
    explanation: z.string().optional(),
    /** The text as the plan had it before the change (verbatim). */
    before: text,
    /** The text as amended (verbatim). */
    after: text,
  })
  .strict();
export type AmendmentChange = z.infer<typeof amendmentChange>;

export const amendment = z
  .object({
    id: slug,
    title: text,
    date: isoDate,
    docNumber: z.string().optional(),
    issuers: z.array(text).min(1),
    /** The review that asked for the change, e.g. 甘整改函〔2020〕16号. */
    reviewDocNumber: z.string().optional(),
    reviewBody: z.string().optional(),
    reviewDate: isoDate.optional(),
    source: sourceRef,
    changes: z.array(amendmentChange).min(1),
  })
  .strict();
export type Amendment = z.infer<typeof amendment>;

export const itemGroup = z
  .object({
    id: slug,
    /** Heading as printed, e.g. 例行督察反馈问题整改措施清单. */
    title: text,
    /** Number of items the heading announces ("（9项）"); checked against the items. */
    declaredCount: z.number().int().nonnegative().optional(),
  })
  .strict();

export const plan = z
  .object({
    id: slug,
    title: text,
    inspection: slug,
    docNumber: z.string().optional(),
    /** Issuing bodies as the plan (or the source citing it) names them; empty when no source says. */
    issuers: z.array(text).default([]),
    issued: partialDate.optional(),
    published: partialDate.optional(),
    /**
     * false when the portal does not hold the plan's own text and knows of it
     * only from another document (`source`): its cite lines then cite that
     * document, never the plan. Absent means held.
     */
    textHeld: z.boolean().optional(),
    /** The jurisdiction whose plan this is. */
    region: slug,
    groups: z.array(itemGroup).default([]),
    amendments: z.array(amendment).default([]),
    source: sourceRef,
    note: z.string().optional(),
  })
  .strict();
export type Plan = z.infer<typeof plan>;

/** A field that names organisations: the verbatim text and the units it refers to. */
export const unitField = z
  .object({
    text: text,
    units: z.array(slug).default([]),
  })
  .strict();

/** A field that names people: the verbatim text and, where it is a list of names, the names. */
export const peopleField = z
  .object({
    text: text,
    names: z.array(text).default([]),
  })
  .strict();

export const measure = z
  .object({
    /** Numbering as printed: "(一)", "1.", "一是"; absent for an unnumbered measure. */
    label: z.string().optional(),
    text: text,
  })
  .strict();
export type Measure = z.infer<typeof measure>;

/**
 * One part of an item. Most items have a single part holding all their fields;
 * item 17 of the 武威 plan has two, each with its own target, deadline and units.
 */
export const itemPart = z
  .object({
    /** Part label as printed, e.g. "(一)"; absent for a single-part item. */
    label: z.string().optional(),
    /** The part's own problem statement, for multi-part items. */
    problem: z.string().optional(),
    target: z.string().optional(),
    /** 整改时限, verbatim; parsed by `src/domain/deadline.ts`. */
    deadline: z.string().optional(),
    responsibleUnits: unitField.optional(),
    responsibleLeaders: peopleField.optional(),
    responsiblePersons: peopleField.optional(),
    supervisingUnits: unitField.optional(),
    measures: z.array(measure).default([]),
  })
  .strict();
export type ItemPart = z.infer<typeof itemPart>;

export const EVIDENCE_TIERS = ['self-reported', 'on-site-check', 'third-party', 'monitoring-data'] as const;
export type EvidenceTier = (typeof EVIDENCE_TIERS)[number];

export const statusEntry = z
  .object({
    /** The date the status was stated as of (usually the source's date). */
    date: partialDate,
    status: z.enum(STATUS_IDS),
    /** Applies to one part only; absent means the whole item. */
    part: z.string().optional(),
    note: z.string().optional(),
    evidence: z.enum(EVIDENCE_TIERS),
    source: sourceRef,
    /**
     * Where the source contradicts itself about this status: the other
     * reading, verbatim (e.g. the class heading says 未完成 and the text
     * says 完成整改). `source.quote` holds the reading the status follows.
     */
    contradiction: z
      .object({
        /** The conflicting passage, verbatim. */
        quote: text,
        /** The status that passage would give, where it names one. */
        reading: z.enum(STATUS_IDS).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type StatusEntry = z.infer<typeof statusEntry>;

export const signOff = z
  .object({
    acceptedOn: isoDate.optional(),
    noticeFrom: isoDate.optional(),
    noticeTo: isoDate.optional(),
    objectionContact: z.string().optional(),
    signedOffOn: isoDate.optional(),
    source: sourceRef,
  })
  .strict();

export const item = z
  .object({
    id: slug,
    plan: slug,
    group: slug.optional(),
    /** The item's number in its plan (第X项). */
    number: z.number().int().positive(),
    /** Other numbers the same item carries (merged items, e.g. 第10、31项). */
    alsoNumbers: z.array(z.number().int().positive()).default([]),
    /** Problem statement as printed; absent where the source gives none. */
    problem: z.string().optional(),
    /** Short reference used when the source gives only a gloss (e.g. in another plan). */
    gloss: z.string().optional(),
    parts: z.array(itemPart).min(1),
    regions: z.array(slug).default([]),
    topics: z.array(slug).default([]),
    statusHistory: z.array(statusEntry).default([]),
    signOff: signOff.optional(),
    /** Items of earlier rounds this item reports on or continues. */
    relatedItems: z.array(slug).default([]),
    source: sourceRef,
    note: z.string().optional(),
  })
  .strict();
export type Item = z.infer<typeof item>;

export const CASE_KINDS = ['虚假整改', '敷衍整改', '表面整改', '一刀切', '问责', '执法'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const caseRecord = z
  .object({
    id: slug,
    /** A title the portal gives the case (Simplified); the source's words are in the text fields. */
    title: text,
    /** Date of the disclosure (the source's date). */
    date: partialDate,
    /** Date or period of the events, where the source gives one. */
    eventDate: partialDate.optional(),
    regions: z.array(slug).min(1),
    kinds: z.array(z.enum(CASE_KINDS)).min(1),
    /** 基本情况: verbatim. */
    summary: text,
    /** 主要问题, where the source states them separately. */
    problems: z.string().optional(),
    /** 原因分析, where the source has one. */
    causes: z.string().optional(),
    /** What the source says follows from it (问责, 要求 …). */
    consequences: z.string().optional(),
    relatedItems: z.array(slug).default([]),
    units: z.array(slug).default([]),
    source: sourceRef,
  })
  .strict();
export type CaseRecord = z.infer<typeof caseRecord>;

export const REPORT_OUTCOMES = ['on-time', 'late', 'not-reported', 'not-mentioned'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

export const reportingRound = z
  .object({
    id: slug,
    title: text,
    /** Who asked. */
    requester: text,
    /** Whom they asked, verbatim. */
    addressees: text,
    /** What was to be reported. */
    subject: text,
    requestDocNumber: z.string().optional(),
    requestedOn: isoDate.optional(),
    dueOn: isoDate,
    /** Date of the notice that assessed the round. */
    assessedOn: isoDate,
    newDueOn: isoDate.optional(),
    newRequirement: z.string().optional(),
    relatedItems: z.array(slug).default([]),
    outcomes: z
      .array(
        z
          .object({
            region: slug,
            outcome: z.enum(REPORT_OUTCOMES),
            /** The notice's assessment of this unit's work, verbatim. */
            assessment: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    /** The notice's general findings, verbatim. */
    findings: z.array(z.object({ heading: text, text: text }).strict()).default([]),
    source: sourceRef,
  })
  .strict();
export type ReportingRound = z.infer<typeof reportingRound>;

export const progressSummary = z
  .object({
    id: slug,
    title: text,
    /** The date the figures are stated as of. */
    asOf: partialDate,
    region: slug,
    inspection: slug.optional(),
    /** What the figures are about, where not an inspection. */
    subject: z.string().optional(),
    figures: z
      .array(
        z
          .object({
            label: text,
            value: z.number().nonnegative(),
            unit: text,
            /** The phrase as printed, e.g. 5.2萬個. */
            asPrinted: z.string().optional(),
            /**
             * This figure is the whole number of problems or items of the
             * inspection in the summary's region: the measure of how much of
             * it the portal holds item by item.
             */
            total: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1),
    note: z.string().optional(),
    source: sourceRef,
  })
  .strict();
export type ProgressSummary = z.infer<typeof progressSummary>;

/** The content collections and the schema of each file in them. */
export const collections = {
  sources: sourceDocument,
  regions: region,
  units: unit,
  topics: topic,
  inspections: inspection,
  plans: plan,
  items: item,
  cases: caseRecord,
  reportingRounds: reportingRound,
  progressSummaries: progressSummary,
} as const;
export type CollectionName = keyof typeof collections;
