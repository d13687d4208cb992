// Call-completion KPIs (DOMAIN.md §5): ASR (ITU-T E.411) and NER (E.425) from call outcomes.
// NER removes user behaviour: answered, busy, no answer and terminal rejects all count as the
// network having done its job; only network failures count against it.

export type CauseClass = "answered" | "user_busy" | "user_no_answer" | "user_rejected" | "dialling_error" | "abandoned" | "network";

/** Classifies an unanswered attempt's Q.850 cause (DOMAIN.md §5 cause table). */
export function classifyCause(q850: number, answered = false): CauseClass {
  if (answered) return "answered";
  switch (q850) {
    case 17:
      return "user_busy";
    case 18:
    case 19:
    case 20:
      return "user_no_answer";
    case 21:
      return "user_rejected";
    case 1:
    case 22:
    case 28:
      return "dialling_error";
    case 16:
    case 31:
      return "abandoned";
    default:
      return "network";
  }
}

export interface KpiCounts {
  seizures: number;
  answered: number;
  busy: number;
  noAnswer: number;
  rejected: number;
  diallingError: number;
  abandoned: number;
  network: number;
}

export function emptyKpi(): KpiCounts {
  return { seizures: 0, answered: 0, busy: 0, noAnswer: 0, rejected: 0, diallingError: 0, abandoned: 0, network: 0 };
}

export function countOutcome(k: KpiCounts, q850: number, answered: boolean): void {
  k.seizures++;
  const c = classifyCause(q850, answered);
  if (c === "answered") k.answered++;
  else if (c === "user_busy") k.busy++;
  else if (c === "user_no_answer") k.noAnswer++;
  else if (c === "user_rejected") k.rejected++;
  else if (c === "dialling_error") k.diallingError++;
  else if (c === "abandoned") k.abandoned++;
  else k.network++;
}

/** ASR = answered / seizures. */
export function asr(k: KpiCounts): number {
  return k.seizures ? k.answered / k.seizures : 0;
}

/** NER = (answered + busy + no answer + terminal reject) / seizures. */
export function ner(k: KpiCounts): number {
  return k.seizures ? (k.answered + k.busy + k.noAnswer + k.rejected) / k.seizures : 0;
}
