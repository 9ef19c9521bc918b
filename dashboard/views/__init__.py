"""Page scripts run by st.navigation: layout only; data work happens in the pure modules."""
