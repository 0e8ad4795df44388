// Public face of designate/: users and roles, the case workflow, the transparency log (RFC 6962
// Merkle tree, C2SP checkpoints and signed notes, cosignatures) and evidence packages.
export {
  actions,
  roles,
  isRole,
  may,
  requireAction,
  rolesFor,
  type Action,
  type Actor,
  type Role,
} from './roles.js';
export {
  addUser,
  authenticateUser,
  parseRole,
  userOfToken,
  userTokenHash,
  type AddedUser,
} from './users.js';
export {
  caseStates,
  caseTransitions,
  nextSteps,
  isCaseState,
  type CaseState,
  type CaseTransition,
} from './case-states.js';
export {
  approveCase,
  approvalsOf,
  attachToCase,
  attachmentKinds,
  expireDue,
  openCase,
  requireCase,
  transitionCase,
  type CaseDesk,
  type TransitionRequest,
} from './cases.js';
export { warningListHits } from './warning-check.js';
export { loadLogSigner, recordedVerifierKey, type LogSigner } from './log-signer.js';
export { TransparencyLog, entryBytes, PrefixRoots, type LogEntryBody } from './transparency-log.js';
export {
  checkConsistencyProof,
  checkEntryProof,
  consistencyFormat,
  proofFormat,
  proveConsistencyFrom,
  proveEntry,
  type ConsistencyProofDocument,
  type InclusionProofDocument,
} from './log-proofs.js';
export { verifyLog, type LogVerification, type VerifyLogOptions } from './verify-log.js';
export { leafHash, treeRoot, verifyInclusion, verifyConsistency, ProofError } from './merkle.js';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
export {
  cosignCheckpoint,
  generateCosignerKey,
  generateSignerKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  NoteError,
} from './signed-note.js';
export {
  writeEvidencePackage,
  type PackageRequest,
  type PackageResult,
} from './package/evidence-package.js';
export { chromiumPath, pdfUnavailable, quietChromiumFlags } from './package/print-pdf.js';
export { forceAtlas2 } from './package/force-layout.js';
export {
  buildCampaignView,
  campaignViewOf,
  networkOf,
  saveCampaignViews,
  type CampaignLink,
  type CampaignView,
  type SharedKind,
} from './campaign-view.js';
