namespace Mesh.Gateway.CacheQuality;

/// <summary>Near-identical prompts that need different answers (written for this report): the same question about two
/// products, versions, places or amounts. A semantic hit between the two is always wrong.</summary>
internal static class HardNegatives
{
    public static readonly (string Cached, string Asked)[] Pairs =
    [
        ("How do I install Python 3.12 on Ubuntu?", "How do I install Python 2.7 on Ubuntu?"),
        ("What is the price of the iPhone 15?", "What is the price of the iPhone 14?"),
        ("How do I reset my Visa card PIN?", "How do I reset my Mastercard PIN?"),
        ("What's new in .NET 8?", "What's new in .NET 9?"),
        ("How do I cancel my Netflix subscription?", "How do I cancel my Spotify subscription?"),
        ("What is the capital of Austria?", "What is the capital of Australia?"),
        ("Convert 100 USD to EUR", "Convert 250 USD to EUR"),
        ("How do I upgrade PostgreSQL 15 to 16?", "How do I upgrade PostgreSQL 13 to 14?"),
        ("What are the side effects of ibuprofen?", "What are the side effects of acetaminophen?"),
        ("Is the Galaxy S23 waterproof?", "Is the Galaxy S24 waterproof?"),
        ("How do I enable dark mode in Windows 11?", "How do I enable dark mode in macOS Sonoma?"),
        ("What is the maximum file size on FAT32?", "What is the maximum file size on NTFS?"),
        ("Translate 'good morning' into Spanish", "Translate 'good morning' into French"),
        ("How many calories are in a banana?", "How many calories are in an apple?"),
        ("What time does the London office open?", "What time does the Berlin office open?"),
        ("Write a SQL query to delete duplicate rows in MySQL", "Write a SQL query to delete duplicate rows in PostgreSQL"),
        ("How do I transfer money to my savings account?", "How do I transfer money to my checking account?"),
        ("What is the boiling point of water in Fahrenheit?", "What is the boiling point of water in Kelvin?"),
        ("Is Kubernetes 1.29 still supported?", "Is Kubernetes 1.25 still supported?"),
        ("How do I return an item bought on Amazon?", "How do I return an item bought on eBay?"),
        ("What is 15% of 80?", "What is 15% of 60?"),
        ("Show me the refund policy for the Pro plan", "Show me the refund policy for the Basic plan"),
        ("How do I set up two-factor authentication on GitHub?", "How do I set up two-factor authentication on GitLab?"),
        ("When does daylight saving time start in the US?", "When does daylight saving time start in Europe?"),
        ("Who won the 2018 World Cup?", "Who won the 2022 World Cup?"),
        ("What is the battery life of the MacBook Air M2?", "What is the battery life of the MacBook Air M3?"),
        ("How do I increase my credit card limit?", "How do I decrease my credit card limit?"),
        ("What is the interest rate on a 30-year mortgage?", "What is the interest rate on a 15-year mortgage?"),
        ("Explain records in Java 17", "Explain records in C# 9"),
        ("How long does shipping to Canada take?", "How long does shipping to Mexico take?"),
    ];
}
