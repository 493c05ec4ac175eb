"""Challenge rewards and their French treatment: the rewards a challenge gives (cash through a
commission line, a catalogue gift, a gift voucher, an experience), their budget and projected
cost, the awarding when the challenge closes, and the social contribution or tax reporting each
beneficiary's rewards call for (CSS L242-1-4, the gift-voucher rule, DAS2, the 73 € VAT cap)."""
