"""The Streamlit interface: one module per tab, each with a render() that only draws."""
