// The public face: what other modules use.
export { InstructionError, buildInstructionTable } from './instruction.solver';
export type { InstructionTable, InstructionTariff } from './instruction.solver';
