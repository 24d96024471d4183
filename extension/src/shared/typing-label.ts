// The words of the typing indicator for the assistant's step (the server's `typing` context).
const LABELS: Record<string, string> = {
  thinking: 'Thinking...',
  executing: 'Executing...',
  verifying: 'Verifying...',
};

/** "Processing..." for a context this build does not know (or none). */
export function typingLabel(context: string): string {
  return LABELS[context.toLowerCase()] ?? 'Processing...';
}
